/**
 * Exposes exactly the shared API, nothing else: no ipcRenderer, no Node. Each method forwards to
 * the one IPC channel named after it; the main process validates sender and payload.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_GLOBAL, API_METHODS, ipcChannel, type VisionStationApi } from '../shared/api';

const api = Object.fromEntries(
  API_METHODS.map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(ipcChannel(m), ...args)]),
) as unknown as VisionStationApi;

contextBridge.exposeInMainWorld(API_GLOBAL, api);

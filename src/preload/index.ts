/**
 * Exposes exactly the shared API, nothing else: no ipcRenderer, no Node. Each method forwards to
 * the one IPC channel named after it (the main process validates sender and payload); events
 * arrive on one channel per event name.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  API_GLOBAL,
  API_METHODS,
  ipcChannel,
  ipcEventChannel,
  STATION_EVENTS,
  type StationClient,
  type StationEventName,
} from '../shared/api';

const methods = Object.fromEntries(
  API_METHODS.map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(ipcChannel(m), ...args)]),
);

const client = {
  ...methods,
  subscribe(event: StationEventName, listener: (payload: unknown) => void): () => void {
    if (!(STATION_EVENTS as readonly string[]).includes(event))
      throw new Error(`unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(ipcEventChannel(event), handler);
    return () => {
      ipcRenderer.off(ipcEventChannel(event), handler);
    };
  },
} as unknown as StationClient;

contextBridge.exposeInMainWorld(API_GLOBAL, client);

import { API_GLOBAL, type StationClient } from '../../shared/api';
import { ALWAYS_OPEN, type ConnectionMonitor } from './connection';
import { WsStationClient, wsUrlFor, type TransportCounters } from './ws-client';

export interface Station {
  client: StationClient;
  connection: ConnectionMonitor;
  /** Bytes received over the network, when there is a network (WebSocket only). */
  counters: TransportCounters | null;
}

/**
 * The renderer's only way to the application: the preload's client on `window` in Electron,
 * otherwise a WebSocket client to `serve` implementing the same interface.
 */
export function connectStation(): Station {
  const fromPreload = (window as unknown as Record<string, unknown>)[API_GLOBAL] as StationClient | undefined;
  if (fromPreload) return { client: fromPreload, connection: ALWAYS_OPEN, counters: null };
  const ws = new WsStationClient(wsUrlFor(window.location));
  return { client: ws.client, connection: ws, counters: ws.counters };
}

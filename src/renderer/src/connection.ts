/** The link between the renderer and the station, as the status bar shows it. */
export interface ConnectionState {
  kind: 'connecting' | 'open' | 'reconnecting';
  attempt: number;
  /** When the next attempt starts (reconnecting only). */
  retryAtMs: number | null;
  lastError: string | null;
}

export interface ConnectionMonitor {
  connection(): ConnectionState;
  onConnection(listener: (s: ConnectionState) => void): () => void;
}

/** IPC through the preload has no connection to lose. */
export const ALWAYS_OPEN: ConnectionMonitor = {
  connection: () => ({ kind: 'open', attempt: 0, retryAtMs: null, lastError: null }),
  onConnection: () => () => undefined,
};

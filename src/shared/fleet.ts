/** One station of the fleet view, as the watcher keeps it and the fleet panel shows it. */
export type FleetState = 'online' | 'stale' | 'offline';

export interface FleetStation {
  /** The station's topic level (its identity on the broker). */
  name: string;
  state: FleetState;
  cameras: string[];
  fps: number;
  alarms: string[];
  model: string | null;
  /** Why it is offline (`lost`: the broker sent its last will), else null. */
  offlineReason: 'lost' | 'stopped' | null;
  /** Receive time of its last status message (ms since the epoch). */
  lastSeenMs: number;
}

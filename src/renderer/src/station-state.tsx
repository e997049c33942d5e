/**
 * The station as the UI knows it: one snapshot at connect time, then events. Frames do not go
 * through React state (see frame-hub.ts); everything else does, at the rate the server pushes it.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type {
  Alarm,
  AppInfo,
  ModelStatus,
  PlcStatus,
  SourceStatus,
  StationClient,
  StatsSnapshot,
  TuningParams,
  UiSettings,
} from '../../shared/api';
import type { ConnectionState } from './connection';
import type { Station } from './api-client';
import { FrameHub } from './frame-hub';

export interface FpsPoint {
  t: number;
  fps: number;
  dropped: number;
}

export interface StationView {
  connection: ConnectionState;
  /** Set when getSnapshot failed (the last error), cleared on success. */
  snapshotError: string | null;
  app: AppInfo | null;
  source: SourceStatus | null;
  model: ModelStatus | null;
  plc: PlcStatus | null;
  stats: StatsSnapshot | null;
  alarms: Alarm[];
  params: TuningParams | null;
  /** The values before the last change (for "restore last applied"). */
  previousParams: TuningParams | null;
  ui: UiSettings | null;
  classNames: string[];
  /** FPS samples from stats events, the last HISTORY_MS. */
  fpsHistory: FpsPoint[];
}

export const HISTORY_MS = 5 * 60_000;

interface Ctx {
  view: StationView;
  client: StationClient;
  frames: FrameHub;
  /** Replace parts of the view after a command's own answer (the event may follow later). */
  patch: (p: Partial<StationView>) => void;
}

const StationContext = createContext<Ctx | null>(null);

export function useStation(): Ctx {
  const c = useContext(StationContext);
  if (!c) throw new Error('useStation outside StationProvider');
  return c;
}

const EMPTY: Omit<StationView, 'connection'> = {
  snapshotError: null,
  app: null,
  source: null,
  model: null,
  plc: null,
  stats: null,
  alarms: [],
  params: null,
  previousParams: null,
  ui: null,
  classNames: [],
  fpsHistory: [],
};

export function sameParams(a: TuningParams, b: TuningParams): boolean {
  return (
    a.confThreshold === b.confThreshold &&
    a.iouThreshold === b.iouThreshold &&
    JSON.stringify(a.classFilter) === JSON.stringify(b.classFilter)
  );
}

function appendFps(history: FpsPoint[], s: StatsSnapshot): FpsPoint[] {
  const t = s.atMs;
  const last = history[history.length - 1];
  if (last && last.t >= t) return history;
  const next = history.filter((p) => p.t >= t - HISTORY_MS);
  next.push({ t, fps: s.fps, dropped: s.dropped });
  return next;
}

export function StationProvider({ station, children }: { station: Station; children: ReactNode }) {
  const { client, connection } = station;
  const frames = useMemo(() => new FrameHub(client, station.counters), [client, station.counters]);
  const [view, setView] = useState<StationView>(() => ({ ...EMPTY, connection: connection.connection() }));

  useEffect(() => {
    const patch = (p: Partial<StationView>) => setView((v) => ({ ...v, ...p }));
    const offs = [
      client.subscribe('source', (source) => patch({ source })),
      client.subscribe('model', (model) =>
        setView((v) => ({ ...v, model, classNames: model.active?.classNames ?? v.classNames })),
      ),
      client.subscribe('plc', (plc) => patch({ plc })),
      client.subscribe('alarms', (alarms) => patch({ alarms })),
      // A change from another screen: what was in force becomes the previous values.
      client.subscribe('params', (params) =>
        setView((v) => ({
          ...v,
          params,
          previousParams: v.params && !sameParams(v.params, params) ? v.params : v.previousParams,
        })),
      ),
      client.subscribe('ui', (ui) => patch({ ui })),
      client.subscribe('stats', (stats) =>
        setView((v) => ({ ...v, stats, fpsHistory: appendFps(v.fpsHistory, stats) })),
      ),
    ];
    let disposed = false;
    let generation = 0;
    const loadSnapshot = () => {
      const gen = ++generation;
      client.getSnapshot().then(
        (s) => {
          if (disposed || gen !== generation) return;
          setView((v) => ({
            ...v,
            snapshotError: null,
            app: s.app,
            source: s.source,
            model: s.model,
            plc: s.plc,
            stats: s.stats,
            alarms: s.alarms,
            params: s.params,
            previousParams: s.previousParams,
            ui: s.ui,
            classNames: s.classNames,
            fpsHistory: appendFps(v.fpsHistory, s.stats),
          }));
        },
        (e: unknown) => {
          if (!disposed && gen === generation)
            patch({ snapshotError: e instanceof Error ? e.message : String(e) });
        },
      );
    };
    const onConn = (c: ConnectionState) => {
      patch({ connection: c });
      // Events flow only after a snapshot has been asked for, on every (re)connect.
      if (c.kind === 'open') loadSnapshot();
    };
    offs.push(connection.onConnection(onConn));
    // The link may have opened before this effect subscribed.
    onConn(connection.connection());
    return () => {
      disposed = true;
      for (const off of offs) off();
    };
  }, [client, connection]);

  useEffect(() => {
    frames.start();
    return () => frames.stop();
  }, [frames]);

  const ctx = useMemo<Ctx>(
    () => ({ view, client, frames, patch: (p) => setView((v) => ({ ...v, ...p })) }),
    [view, client, frames],
  );
  return <StationContext.Provider value={ctx}>{children}</StationContext.Provider>;
}

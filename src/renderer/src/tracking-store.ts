/**
 * What the counting screen shows, kept outside React so it goes on while its tab is closed: the
 * zones and lines (from the station), the counters and crossing events (from every preview), the
 * trails of recent track positions, and the editing tool. One store per FrameHub.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { StationClient, TrackingConfig } from '../../shared/api';
import { addCrossings, type CrossingEvent } from '../../shared/crossing-log';
import type { LineCount } from '../../shared/frame';
import type { CountingLine, ZoneShape } from '../../shared/zones';
import type { ZoneTool } from './components/ZoneEditor';
import type { FrameHub } from './frame-hub';
import { TrailStore, type Trail } from './trails';
import { useStation } from './station-state';
import { errorText } from './hooks';

export interface TrackingView {
  config: TrackingConfig | null;
  counts: readonly LineCount[];
  events: readonly CrossingEvent[];
  trails: readonly Trail[];
  /** Picture size the zones, lines and trails refer to (the newest preview's). */
  sizePx: { width: number; height: number } | null;
  /** null: not editing (zones and lines are shown, the picture takes no pointer input). */
  tool: ZoneTool | null;
  /** The station's reason for refusing the last edit or reset. */
  error: string | null;
}

export class TrackingStore {
  private view: TrackingView = {
    config: null,
    counts: [],
    events: [],
    trails: [],
    sizePx: null,
    tool: null,
    error: null,
  };
  private readonly listeners = new Set<() => void>();
  private readonly trailStore = new TrailStore();
  private loading: Promise<void> | null = null;

  constructor(
    frames: FrameHub,
    private readonly client: StationClient,
  ) {
    frames.onFrame((m) => {
      this.trailStore.add(m.detections);
      const size = this.view.sizePx;
      this.set({
        trails: this.trailStore.list(),
        events: addCrossings(this.view.events, m),
        counts: m.counts ?? (this.view.config?.lines.length ? this.view.counts : []),
        sizePx:
          size && size.width === m.widthPx && size.height === m.heightPx
            ? size
            : { width: m.widthPx, height: m.heightPx },
      });
    });
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  get = (): TrackingView => this.view;

  private set(patch: Partial<TrackingView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  load(): Promise<void> {
    this.loading ??= this.client.getTracking().then(
      (config) => this.set({ config, counts: config.counts }),
      (e: unknown) => {
        this.loading = null;
        this.set({ error: errorText(e) });
      },
    );
    return this.loading;
  }

  setTool(tool: ZoneTool | null): void {
    this.set({ tool, error: null });
  }

  /** Sends the new layout; the station's answer (or its refusal) is what is shown after. */
  async setLayout(next: { zones: ZoneShape[]; lines: CountingLine[] }): Promise<void> {
    try {
      const config = await this.client.setTracking(next);
      this.set({ config, counts: config.counts, error: null });
    } catch (e) {
      this.set({ error: errorText(e) });
    }
  }

  async reset(): Promise<void> {
    try {
      this.set({ counts: await this.client.resetCounters(), error: null });
    } catch (e) {
      this.set({ error: errorText(e) });
    }
  }
}

const stores = new WeakMap<FrameHub, TrackingStore>();

export function useTracking(): { view: TrackingView; store: TrackingStore } {
  const { frames, client } = useStation();
  let store = stores.get(frames);
  if (!store) {
    store = new TrackingStore(frames, client);
    stores.set(frames, store);
  }
  const s = store;
  useEffect(() => void s.load(), [s]);
  return { view: useSyncExternalStore(s.subscribe, s.get), store: s };
}

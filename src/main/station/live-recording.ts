/**
 * The station's live recording: the recorder attached to the runtime while recording is on in
 * the settings, into one recording folder under the data folder. Switching it on or off (or
 * changing its retention) closes the recorder and attaches a new one, one change at a time.
 * The recorder (and its SQLite addon) is loaded only when recording is on.
 */
import type { RecordingStatus } from '../../shared/review';
import type { RecordSettings } from '../app/attach-recorder';
import type { VisionRuntime } from '../app/runtime';
import type { Recorder, RecorderStats } from '../recording/recorder';
import type { Settings } from '../storage/settings';

export type RecordingSettings = Settings['recording'];

/** The live line's recording folder, under `recordings/` of the data folder. */
export const LIVE_RECORDING_NAME = 'live';

export interface LiveRecordingOptions {
  runtime: VisionRuntime;
  /** The recording folder. */
  dir: string;
  log: (line: string) => void;
  /** Recording stopped by itself (full disk, ...): the reason; null when it runs again. */
  onStopped: (reason: string | null) => void;
}

export function recordSettingsOf(s: RecordingSettings, dir: string): RecordSettings {
  return {
    dir,
    fps: s.fps,
    segmentSeconds: s.segmentS,
    retention: { maxBytes: Math.round(s.maxGb * 1024 ** 3), maxAgeMs: Math.round(s.maxDays * 86_400_000) },
    rules: { classes: s.eventClasses },
    ...(s.doubtfulMin !== null ? { doubtfulMin: s.doubtfulMin } : {}),
  };
}

export class LiveRecording {
  private recorder: Recorder | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: LiveRecordingOptions) {}

  /** Applies the settings (serialised with earlier calls); rejects when the recorder cannot start. */
  apply(s: RecordingSettings): Promise<void> {
    const next = this.chain.then(async () => {
      await this.detach();
      if (!s.enabled || this.closed) return;
      const { attachRecorder } = await import('../app/attach-recorder');
      const recorder = await attachRecorder(recordSettingsOf(s, this.o.dir), {
        runtime: this.o.runtime,
        log: this.o.log,
      });
      recorder.on('alarm', (a) => this.o.onStopped(a.reason));
      this.recorder = recorder;
      this.o.onStopped(null);
    });
    this.chain = next.catch(() => {});
    return next;
  }

  stats(): RecorderStats | null {
    return this.recorder?.stats() ?? null;
  }

  status(s: RecordingSettings, id: string): RecordingStatus {
    const st = this.stats();
    return {
      enabled: s.enabled,
      recording: id,
      maxGb: s.maxGb,
      maxDays: s.maxDays,
      doubtfulMin: s.doubtfulMin,
      eventClasses: s.eventClasses,
      framesIndexed: st?.framesIndexed ?? 0,
      framesRecorded: st?.framesRecorded ?? 0,
      picturesDropped: st?.picturesDropped ?? 0,
      stoppedBecause: st?.stoppedBecause ?? null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    await this.detach();
  }

  private async detach(): Promise<void> {
    const r = this.recorder;
    this.recorder = null;
    await r?.close().catch((e: unknown) => this.o.log(`recorder: ${(e as Error).message}`));
  }
}

/**
 * Frames bypass React state: the hub keeps the newest FrameMessage and hands it to the live view,
 * which decodes and draws picture and overlay together. It also measures the preview transport
 * as the client sees it: bytes and frames received per second, and frames drawn per second.
 */
import type { FrameMessage, StationClient } from '../../shared/api';
import type { TransportCounters } from './ws-client';

export interface TransportRates {
  /** Bytes per second received (the whole WebSocket, or the preview JPEGs over IPC). */
  bytesPerSec: number;
  framesReceivedPerSec: number;
  framesDrawnPerSec: number;
  /** Frames that arrived while an older one was still decoding and were replaced by a newer one. */
  framesSkippedPerSec: number;
  meanFrameBytes: number;
  totals: { received: number; drawn: number; skipped: number; bytes: number };
  windowSec: number;
}

interface Sample {
  t: number;
  bytes: number;
  received: number;
  drawn: number;
  skipped: number;
}

const WINDOW_MS = 5_000;

export class FrameHub {
  private latest: FrameMessage | null = null;
  private readonly listeners = new Set<(f: FrameMessage) => void>();
  private readonly rateListeners = new Set<(r: TransportRates) => void>();
  private off: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private received = 0;
  private drawn = 0;
  private skipped = 0;
  private jpegBytes = 0;
  private samples: Sample[] = [];
  private rates: TransportRates = {
    bytesPerSec: 0,
    framesReceivedPerSec: 0,
    framesDrawnPerSec: 0,
    framesSkippedPerSec: 0,
    meanFrameBytes: 0,
    totals: { received: 0, drawn: 0, skipped: 0, bytes: 0 },
    windowSec: 0,
  };

  constructor(
    private readonly client: StationClient,
    private readonly counters: TransportCounters | null,
  ) {}

  start(): void {
    if (this.off) return;
    this.off = this.client.subscribe('frame', (f) => {
      this.received += 1;
      this.jpegBytes += f.previewJpeg.byteLength;
      this.latest = f;
      for (const l of this.listeners) l(f);
    });
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    this.off?.();
    this.off = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  newest(): FrameMessage | null {
    return this.latest;
  }

  onFrame(listener: (f: FrameMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRates(listener: (r: TransportRates) => void): () => void {
    this.rateListeners.add(listener);
    listener(this.rates);
    return () => this.rateListeners.delete(listener);
  }

  currentRates(): TransportRates {
    return this.rates;
  }

  markDrawn(): void {
    this.drawn += 1;
  }

  markSkipped(): void {
    this.skipped += 1;
  }

  private bytes(): number {
    return this.counters ? this.counters.bytes : this.jpegBytes;
  }

  private sample(): void {
    const now = performance.now();
    const s: Sample = {
      t: now,
      bytes: this.bytes(),
      received: this.received,
      drawn: this.drawn,
      skipped: this.skipped,
    };
    this.samples.push(s);
    while (this.samples.length > 2 && now - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (s.t - first.t) / 1000;
    const totals = { received: s.received, drawn: s.drawn, skipped: s.skipped, bytes: s.bytes };
    if (dt <= 0) {
      this.rates = { ...this.rates, totals };
    } else {
      const recv = (s.received - first.received) / dt;
      this.rates = {
        bytesPerSec: (s.bytes - first.bytes) / dt,
        framesReceivedPerSec: recv,
        framesDrawnPerSec: (s.drawn - first.drawn) / dt,
        framesSkippedPerSec: (s.skipped - first.skipped) / dt,
        meanFrameBytes:
          s.received > first.received ? (s.bytes - first.bytes) / (s.received - first.received) : 0,
        totals,
        windowSec: dt,
      };
    }
    for (const l of this.rateListeners) l(this.rates);
  }
}

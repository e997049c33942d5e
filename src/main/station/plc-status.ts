/**
 * The PLC link as the UI shows it: state, endpoint, life counter, write rate, the last written
 * block decoded field by field, and the capture → PLC latency. A link that stays down longer than
 * the grace time raises the `plcDown` alarm (a reconnect within it is not worth one); it clears
 * when the link is back.
 */
import { EventEmitter } from 'node:events';
import type { AlarmKind, PlcStatus } from '../../shared/api';
import { RollingWindow, type Percentiles } from '../core/rolling-stats';
import type { OutputSinks } from '../app/outputs';
import type { Clock } from '../util/clock';
import { plcBlockFields } from './plc-view';

export interface AlarmSink {
  raise(kind: AlarmKind, message: string, oneShot?: boolean): void;
  clear(kind: AlarmKind): void;
}

export interface PlcLinkConfig {
  /** The URI as configured (`sim`, `s7://...`), or null when the PLC output is off. */
  uri: string | null;
  handshake: PlcStatus['handshake'];
  maxObjects: number;
}

export const PLC_DOWN_GRACE_MS = 3000;
/** In free-run every result is written: no completed write for this long while results flow is a stall. */
export const PLC_WRITE_DEADLINE_MS = 1000;

export class PlcStatusTracker extends EventEmitter<{ status: [PlcStatus] }> {
  private current: PlcStatus = {
    state: 'off',
    endpoint: '',
    handshake: 'free-run',
    lifeCounter: 0,
    writesPerSec: 0,
    lastWriteTimeMs: null,
    lastError: null,
    lastBlock: null,
  };
  private outputs: OutputSinks | null = null;
  private maxObjects = 16;
  private downTimer: unknown = null;
  private lastCompletedWriteMs: number | null = null;
  private attachedAtMs = 0;
  private readonly latency = new RollingWindow(10_000);
  private readonly writeMs = new RollingWindow(10_000);

  constructor(
    private readonly alarms: AlarmSink,
    private readonly clock: Clock,
    private readonly graceMs = PLC_DOWN_GRACE_MS,
  ) {
    super();
  }

  status(): PlcStatus {
    return this.current;
  }

  percentiles(): { latencyMs: Percentiles; writeMs: Percentiles } {
    const t = this.clock.now();
    return { latencyMs: this.latency.percentiles(t), writeMs: this.writeMs.percentiles(t) };
  }

  private set(s: Partial<PlcStatus>, emit = true): void {
    this.current = { ...this.current, ...s };
    if (emit) this.emit('status', this.current);
  }

  private cancelGrace(): void {
    if (this.downTimer !== null) this.clock.clearTimeout(this.downTimer);
    this.downTimer = null;
  }

  /** Follows a new set of outputs (or none: the PLC output is off). */
  attach(outputs: OutputSinks | null, config: PlcLinkConfig): void {
    this.outputs = outputs;
    this.maxObjects = config.maxObjects;
    this.lastCompletedWriteMs = null;
    this.attachedAtMs = this.clock.now();
    this.cancelGrace();
    this.alarms.clear('plcDown');
    if (!outputs?.plc || !config.uri) {
      this.set({ state: 'off', endpoint: '', lastBlock: null, lastError: null, handshake: config.handshake });
      return;
    }
    const sim = outputs.sim;
    const endpointOf = (e: string): string => (sim ? `simulator on 127.0.0.1:${sim.port}` : e);
    this.set({
      state: 'connecting',
      endpoint: endpointOf(config.uri),
      handshake: config.handshake,
      lastBlock: null,
      lastError: null,
    });
    outputs.on('plcLink', (s) => {
      if (outputs !== this.outputs) return;
      this.set({
        state: s.state,
        endpoint: endpointOf(s.endpoint),
        lifeCounter: s.lifeCounter,
        writesPerSec: s.writesPerSec,
        lastWriteTimeMs: s.lastWriteTimeMs,
        lastError: s.lastError,
      });
      if (s.state === 'connected') {
        this.cancelGrace();
        this.alarms.clear('plcDown');
      } else if (this.downTimer === null) {
        this.downTimer = this.clock.setTimeout(() => {
          this.downTimer = null;
          if (outputs === this.outputs && this.current.state !== 'connected')
            this.alarms.raise(
              'plcDown',
              `PLC ${this.current.endpoint} not reachable: ${this.current.lastError ?? this.current.state}`,
            );
        }, this.graceMs);
      }
    });
    outputs.on('plcAlarm', (a) => {
      if (outputs !== this.outputs) return;
      this.alarms.raise(a.kind === 'ackTimeout' ? 'ackTimeout' : 'plcConfig', a.message, true);
    });
    outputs.on('plcWrite', (w) => {
      if (outputs !== this.outputs) return;
      const t = this.clock.now();
      this.lastCompletedWriteMs = t;
      if (this.current.state === 'stalled') {
        this.set({ state: 'connected' });
        this.alarms.clear('plcDown');
      }
      this.writeMs.add(t, w.durationMs);
      if (w.captureTimeMs !== null) this.latency.add(t, w.writeTimeMs + w.durationMs - w.captureTimeMs);
      // Written often: the periodic status tick publishes it, not every write.
      this.set(
        {
          lifeCounter: w.lifeCounter,
          lastWriteTimeMs: w.writeTimeMs,
          lastBlock: { frameId: w.frameId, fields: plcBlockFields(w.bytes, this.maxObjects, 0, w.count) },
        },
        false,
      );
    });
  }

  /**
   * Publishes the current status (the station's periodic tick, while a PLC is configured). The
   * link state comes from completed writes, not only from the connection: in free-run, while
   * results flow, a link with no completed write within the deadline turns amber (`stalled`), and
   * past the grace time raises the PLC alarm, though the socket still looks connected.
   */
  tick(resultsFlowing = false): void {
    if (!this.outputs?.plc) return;
    const t = this.clock.now();
    const overdue =
      this.current.handshake === 'free-run' &&
      resultsFlowing &&
      (this.current.state === 'connected' || this.current.state === 'stalled') &&
      t - (this.lastCompletedWriteMs ?? this.attachedAtMs) > PLC_WRITE_DEADLINE_MS;
    if (overdue && this.current.state === 'connected') this.set({ state: 'stalled' }, false);
    if (overdue && t - (this.lastCompletedWriteMs ?? this.attachedAtMs) > this.graceMs)
      this.alarms.raise(
        'plcDown',
        `PLC ${this.current.endpoint}: no write completed for ${Math.round((t - (this.lastCompletedWriteMs ?? this.attachedAtMs)) / 1000)} s`,
      );
    this.emit('status', this.current);
  }

  close(): void {
    this.cancelGrace();
    this.outputs = null;
  }
}

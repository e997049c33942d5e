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

  /** Publishes the current status (the station's periodic tick, while a PLC is configured). */
  tick(): void {
    if (this.outputs?.plc) this.emit('status', this.current);
  }

  close(): void {
    this.cancelGrace();
    this.outputs = null;
  }
}

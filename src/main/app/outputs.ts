/**
 * Result outputs other than the UI: the S7 PLC (or the built-in simulator) and a serial port,
 * built from their URIs. Each is a ResultSink, so the pipeline only ever calls `offer`.
 */
import { EventEmitter } from 'node:events';
import type { FrameResult } from '../../shared/frame';
import type { Homography3x3 } from '../core/calibration';
import type { InferenceEngine } from '../inference/engine';
import type { ResultSink } from '../core/sink';
import { freePort } from '../util/net';
import { parsePlcUri, type PlcSettingsInput } from '../plc/plc-config';
import { PlcSim, type SimFrame } from '../plc/plc-sim';
import { S7Sink, type PlcAlarm, type PlcLinkStatus, type PlcWriteInfo } from '../plc/s7-sink';
import type { SerialSink } from '../serial/serial-sink';
import { DEFAULT_MAX_OBJECTS, requiredDbSizeBytes } from '../../shared/plc-layout';

export interface OutputEvents {
  plcLink: [PlcLinkStatus];
  plcWrite: [PlcWriteInfo & { captureTimeMs: number | null }];
  plcAlarm: [PlcAlarm];
  /** What the built-in simulator received (`--plc sim`), decoded. */
  simFrame: [SimFrame];
  recipeRequest: [number];
  /** PLC layout v2: the PLC asked to zero the counting-line counters. */
  countersReset: [number];
}

export interface OutputSinks extends EventEmitter<OutputEvents> {
  readonly sinks: ResultSink[];
  readonly plc: S7Sink | null;
  readonly sim: PlcSim | null;
  setHealth(health: { cameraOk?: boolean; modelOk?: boolean }): void;
  close(): Promise<void>;
}

export interface OutputOptions {
  /** `s7://HOST[:PORT]?rack=0&slot=1&db=N`, or `sim`. */
  plc?: string;
  /** Extra PLC settings (handshake, maxObjects, calibration) applied over the URI's. */
  plcSettings?: Partial<PlcSettingsInput>;
  serial?: string;
  /** Row-major 3x3 pixel → mm homography for PLC and serial positions; absent writes pixels. */
  calibration?: Homography3x3;
  log: (line: string) => void;
  engine: InferenceEngine;
  /** Fail (instead of retrying in the background) when the PLC cannot be reached at start. */
  failFast?: boolean;
  connectTimeoutMs?: number;
}

/** The DB the built-in simulator serves. */
export const SIM_DB_NUMBER = 1;

class Outputs extends EventEmitter<OutputEvents> implements OutputSinks {
  readonly sinks: ResultSink[] = [];
  plc: S7Sink | null = null;
  sim: PlcSim | null = null;
  serial: SerialSink | null = null;
  /** frameId → capture time of results offered to the PLC, to measure capture → PLC latency. */
  private readonly captureTimes = new Map<number, number>();

  /** The status bits both outputs write (PLC status word, serial line flags). */
  setHealth(health: { cameraOk?: boolean; modelOk?: boolean }): void {
    this.plc?.setHealth(health);
    this.serial?.setHealth(health);
  }

  attachPlc(sink: S7Sink): void {
    this.plc = sink;
    sink.on('link', (s) => this.emit('plcLink', s));
    sink.on('alarm', (a) => this.emit('plcAlarm', a));
    sink.on('recipeRequest', (slot) => this.emit('recipeRequest', slot));
    sink.on('countersReset', (request) => this.emit('countersReset', request));
    sink.on('write', (w) => {
      const captureTimeMs = this.captureTimes.get(w.frameId) ?? null;
      this.emit('plcWrite', { ...w, captureTimeMs });
    });
    const captureTimes = this.captureTimes;
    this.sinks.push({
      name: 'plc',
      offer(result: FrameResult) {
        captureTimes.set(result.frameId, result.captureTimeMs);
        // Bounded: only recent frames can still be written.
        if (captureTimes.size > 64) captureTimes.delete(captureTimes.keys().next().value!);
        sink.offer(result);
      },
      close: () => sink.close(),
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close().catch(() => {})));
    // close(), not stop(): the process-wide S7 server must be free for the next simulator.
    await this.sim?.close().catch(() => {});
  }
}

export async function createOutputSinks(opts: OutputOptions): Promise<OutputSinks> {
  const out = new Outputs();
  try {
    if (opts.plc) {
      const target = parsePlcUri(opts.plc);
      let settings: PlcSettingsInput;
      if (target.kind === 'sim') {
        const port = await freePort();
        const sim = new PlcSim({
          port,
          host: '127.0.0.1',
          dbNumber: SIM_DB_NUMBER,
          maxObjects: opts.plcSettings?.maxObjects,
          mode: opts.plcSettings?.handshake,
          ...(target.layoutVersion === 2
            ? { dbSizeBytes: requiredDbSizeBytes(opts.plcSettings?.maxObjects ?? DEFAULT_MAX_OBJECTS, 0, 2) }
            : {}),
        });
        sim.on('frame', (f) => out.emit('simFrame', f));
        sim.on('problem', (p) => opts.log(`PLC simulator: ${p}`));
        await sim.start();
        out.sim = sim;
        settings = {
          host: '127.0.0.1',
          port,
          dbNumber: SIM_DB_NUMBER,
          ...(target.layoutVersion ? { layoutVersion: target.layoutVersion } : {}),
          ...opts.plcSettings,
        };
      } else {
        settings = { ...target.settings, ...opts.plcSettings };
      }
      if (opts.calibration)
        settings = {
          ...settings,
          homographyPxToMm: opts.calibration,
        };
      const sink = new S7Sink(settings);
      out.attachPlc(sink);
      sink.start();
      if (opts.failFast) await sink.whenConnected(opts.connectTimeoutMs ?? 5000);
    }
    if (opts.serial) {
      const { createSerialSink } = await import('../serial/serial-output');
      const sink = await createSerialSink(opts.serial, opts.log, opts.failFast ?? false, opts.calibration);
      out.serial = sink.serial;
      out.sinks.push(sink);
    }
  } catch (e) {
    await out.close();
    throw e;
  }
  return out;
}

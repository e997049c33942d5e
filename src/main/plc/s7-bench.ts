/**
 * S7 write latency on loopback: a full layout-v1 data area (16 records by default) written to the
 * built-in simulator the way the sink writes it (one PDU, or records then header).
 */
import { dataAreaSizeBytes } from '../../shared/plc-layout';
import { encodeDataArea } from '../core/plc/encode';
import type { FrameResult } from '../../shared/frame';
import { PlcSim } from './plc-sim';
import { Snap7Link } from './s7-client';
import { writeDataArea } from './s7-sink';

export interface S7WriteLatency {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  writes: number;
  bytesPerWrite: number;
  /** S7 write jobs per block (2 when the block does not fit one PDU). */
  jobsPerWrite: number;
  pduBytes: number;
}

export interface S7BenchOptions {
  port: number;
  writes?: number;
  maxObjects?: number;
  /** PDU the simulator offers (the client asks for snap7's default, 480). */
  serverPduBytes?: number;
  opTimeoutMs?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function measureS7WriteLatency(opts: S7BenchOptions): Promise<S7WriteLatency> {
  const maxObjects = opts.maxObjects ?? 16;
  const writes = opts.writes ?? 500;
  const dbNumber = 1;
  const sim = new PlcSim({ port: opts.port, dbNumber, maxObjects, pduBytes: opts.serverPduBytes });
  await sim.start();
  const link = new Snap7Link();
  try {
    await link.connect({ host: '127.0.0.1', port: opts.port, rack: 0, slot: 1 }, 3000);
    const result: FrameResult = {
      frameId: 0,
      captureTimeMs: Date.now(),
      resultTimeMs: Date.now(),
      widthPx: 1280,
      heightPx: 720,
      detections: Array.from({ length: maxObjects }, (_, i) => ({
        classId: i,
        className: `c${i}`,
        score: 0.5 + i / (4 * maxObjects),
        box: [10 * i, 5 * i, 10 * i + 40, 5 * i + 30] as [number, number, number, number],
        trackId: i,
      })),
      modelName: 'bench',
      provider: 'cpu',
      timings: { preMs: 0, inferMs: 0, postMs: 0 },
    };
    const samples: number[] = [];
    let jobs = 0;
    for (let i = 0; i < writes; i++) {
      const enc = encodeDataArea(
        {
          result: { ...result, frameId: i },
          lifeCounter: i % 32768,
          requestId: 0,
          cameraOk: true,
          modelOk: true,
          stale: false,
          writeTimeMs: Date.now(),
          utcOffsetMin: 0,
        },
        { maxObjects },
      );
      const t0 = performance.now();
      jobs = await writeDataArea(link, dbNumber, 0, enc.bytes, opts.opTimeoutMs ?? 1000);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return {
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      meanMs: samples.reduce((s, v) => s + v, 0) / samples.length,
      writes,
      bytesPerWrite: dataAreaSizeBytes(maxObjects),
      jobsPerWrite: jobs,
      pduBytes: link.pduLengthBytes(),
    };
  } finally {
    link.close();
    await sim.close();
  }
}

/**
 * PLC layout v2 against a real snap7 S7Server (the built-in simulator) on 127.0.0.1:
 * the counters the PLC reads equal the run's counts, and a PLC reset request zeroes them.
 *
 * Footage: `fruit-and-vegetable-detection.gif` from Intel IoT DevKit sample-videos
 * (github.com/intel-iot-devkit/sample-videos), CC BY 4.0, read from the shared folder.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BoxXyxy } from '../../src/shared/detection';
import type { FrameResult } from '../../src/shared/frame';
import {
  countersAreaOffsetBytes,
  COUNTERS_SIZE_BYTES,
  requiredDbSizeBytes,
} from '../../src/shared/plc-layout';
import { decodeCountersArea } from '../../src/main/core/plc/decode';
import { encodeCountersResetRequest } from '../../src/main/core/plc/encode';
import { TrackingStage, parseLineArg } from '../../src/main/core/counting';
import { PlcSim } from '../../src/main/plc/plc-sim';
import { S7Sink } from '../../src/main/plc/s7-sink';
import { freePort } from '../../src/main/util/net';
import { jsonLines, runCli } from '../helpers/cli';
import { FOOTAGE_DIR } from '../helpers/paths';

const MAX_OBJECTS = 4;
const DB = 7;

let sim: PlcSim | null = null;
let sink: S7Sink | null = null;
afterEach(async () => {
  await sink?.close();
  await sim?.close();
  sink = null;
  sim = null;
});

async function startSim(): Promise<PlcSim> {
  const s = new PlcSim({
    port: await freePort(),
    dbNumber: DB,
    maxObjects: MAX_OBJECTS,
    dbSizeBytes: requiredDbSizeBytes(MAX_OBJECTS, 0, 2),
  });
  await s.start();
  sim = s;
  return s;
}

function counters(s: PlcSim) {
  return decodeCountersArea(s.readDbBytes(countersAreaOffsetBytes(MAX_OBJECTS), COUNTERS_SIZE_BYTES));
}

/** Waits on a condition of the simulator's memory (changed by the server thread), with a deadline. */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('PLC layout v2 counters', () => {
  it('run --plc ...&layout=2: the PLC reads counters equal to the summary counts', async () => {
    const s = await startSim();
    const r = await runCli([
      'run',
      '--source',
      `file:${resolve(FOOTAGE_DIR, 'fruit-and-vegetable-detection.gif')}?fps=max`,
      '--model',
      'classic',
      '--classic',
      'learnFrames=1',
      '--track',
      '--line',
      'gate=240,0,240,270',
      '--line',
      'other=0,100,480,100',
      '--plc',
      `s7://127.0.0.1:${s.port}?db=${DB}&maxObjects=${MAX_OBJECTS}&layout=2`,
      '--json',
    ]);
    expect(r.code).toBe(0);
    // On a loaded machine the link may drop and come back; run reports that, and nothing else.
    for (const line of r.stderr.split('\n').filter(Boolean))
      expect(line).toMatch(/^vision-station: PLC .*: (connection lost; retrying|connected again.*)$/);
    const { summary } = jsonLines(r.stdout).at(-1) as {
      summary: { counts: Record<string, { in: number; out: number }> };
    };
    expect(summary.counts.gate).toEqual({ in: 0, out: 4 });
    const c = counters(s);
    expect(c.lines.slice(0, 2)).toEqual([
      { inCount: summary.counts.gate.in, outCount: summary.counts.gate.out },
      { inCount: summary.counts.other.in, outCount: summary.counts.other.out },
    ]);
    expect(c.lines.slice(2).every((l) => l.inCount === 0 && l.outCount === 0)).toBe(true);
    // The last frame's records carry real track ids.
    const block = s.decode();
    expect(block.records.length).toBeGreaterThan(0);
    expect(block.records.every((rec) => rec.trackId >= 1)).toBe(true);
  });

  it('a PLC reset request zeroes the counters and is acknowledged with 0', async () => {
    const s = await startSim();
    const stage = new TrackingStage({
      tracking: { minHits: 1 },
      lines: [parseLineArg('gate=100,0,100,200')],
    });
    sink = new S7Sink({
      host: '127.0.0.1',
      port: s.port,
      dbNumber: DB,
      maxObjects: MAX_OBJECTS,
      layoutVersion: 2,
      pollIntervalMs: 5,
    });
    sink.on('countersReset', () => stage.resetCounts());
    sink.start();
    await sink.whenConnected(5000);
    let frameId = 0;
    const offer = (box: BoxXyxy | null): void => {
      const result: FrameResult = {
        frameId: ++frameId,
        captureTimeMs: Date.now(),
        resultTimeMs: Date.now(),
        widthPx: 200,
        heightPx: 200,
        detections: box ? [{ classId: 0, className: 'part', score: 0.9, box }] : [],
        modelName: 'test',
        provider: 'cpu',
        timings: { preMs: 0, inferMs: 0, postMs: 0 },
      };
      sink!.offer(stage.process(result));
    };
    // A part moves left to right across x = 100 (cross > 0 → cross < 0: in).
    for (let x = 40; x <= 140; x += 10) offer([x - 20, 50, x + 20, 70]);
    await until(() => counters(s).lines[0].inCount === 1, 'inCount 1 in the DB');

    const request = encodeCountersResetRequest(1);
    const base = countersAreaOffsetBytes(MAX_OBJECTS);
    const resetSeen = new Promise<number>((done) => sink!.once('countersReset', done));
    await s.writePlcSide([{ offset: base + request.offset, bytes: request.bytes }]);
    expect(await resetSeen).toBe(1);
    await until(
      () => counters(s).countersResetRequest === 0,
      'the app writing 0 back to countersResetRequest',
    );
    expect(counters(s).lines[0]).toEqual({ inCount: 0, outCount: 0 });
    expect(stage.counts()).toEqual([{ line: 'gate', in: 0, out: 0 }]);

    // Counting goes on from zero: a second part crossing makes 1, not 2.
    for (let k = 0; k < 3; k++) offer(null);
    for (let x = 40; x <= 140; x += 10) offer([x - 20, 120, x + 20, 140]);
    await until(() => counters(s).lines[0].inCount === 1, 'inCount 1 again after the reset');
    expect(stage.counts()).toEqual([{ line: 'gate', in: 1, out: 0 }]);
  });
});

/**
 * Doubtful candidates of the live line: with a candidate floor, the recorder gets what scores
 * between the floor and the threshold, and the PLC gets exactly what it got without one (only
 * objects at or above the threshold).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/main/app/runtime';
import { PlcSim, type SimFrame } from '../../src/main/plc/plc-sim';
import { RecordingIndex } from '../../src/main/recording/index-db';
import { indexPath } from '../../src/main/recording/layout';
import { freePort } from '../../src/main/util/net';
import type { FrameResult } from '../../src/shared/frame';
import { sharedImage, sharedModel, WORKER_JS } from '../helpers/paths';
import { FFMPEG } from '../helpers/recording';

const tmp = mkdtempSync(join(tmpdir(), 'vs-doubtful-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONF = 0.5;
const FLOOR = 0.05;
const clip = join(tmp, 'dog-then-person.mp4');
const recDir = join(tmp, 'rec');
const plcFrames: SimFrame[] = [];
const results = new Map<number, FrameResult>();
let recorderCandidates = 0;

beforeAll(async () => {
  execFileSync(FFMPEG, [
    '-v', 'error', '-loop', '1', '-t', '0.4', '-i', sharedImage('dog.jpg'), '-loop', '1', '-t', '0.4', '-i', sharedImage('person.jpg'),
    '-filter_complex', '[0]scale=640:480,setsar=1,fps=10[a];[1]scale=640:480,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip,
  ]); // prettier-ignore
  const port = await freePort();
  const sim = new PlcSim({ port, dbNumber: 7 });
  await sim.start();
  let onWrite = (): void => {};
  sim.on('frame', (f) => {
    plcFrames.push(f);
    onWrite();
  });
  // Handshake 'ack' would hold frames back; free-run writes each result as it comes.
  const rt = await createRuntime({
    source: `file:${clip}?fps=max`,
    model: sharedModel('yolox-nano-coco-416.onnx'),
    plc: `s7://127.0.0.1:${port}?db=7`,
    params: { confThreshold: CONF, iouThreshold: 0.45, maxDet: 300, classFilter: null },
    workerPath: WORKER_JS,
    log: () => {},
    failFast: true,
    statsWindowMs: Number.MAX_SAFE_INTEGER,
    record: { dir: recDir, fps: 10, segmentSeconds: 1, doubtfulMin: FLOOR },
  });
  const written = new Set<number>();
  rt.outputs.on('plcWrite', (w) => {
    written.add(w.frameId);
    onWrite();
  });
  rt.runtime.on('result', (r, _frame, candidates) => {
    results.set(r.frameId, r);
    recorderCandidates += candidates.length;
  });
  await rt.start();
  await rt.pipeline.done();
  // Free-run writes only the newest result: the last frame's write is the one to wait for.
  const last = Math.max(...results.keys());
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PLC write of frame ${last} did not happen`)), 20_000);
    onWrite = () => {
      if (written.has(last) && plcFrames.some((f) => f.header.frameId === last)) {
        clearTimeout(timer);
        resolve();
      }
    };
    onWrite();
  });
  await rt.close();
  await sim.close();
}, 120_000);

describe('doubtful candidates on the live line', () => {
  it('the PLC is told only objects at or above the threshold', () => {
    expect(results.size).toBe(8);
    expect(plcFrames.length).toBeGreaterThan(0);
    for (const f of plcFrames) {
      const r = results.get(f.header.frameId);
      expect(r, `result of PLC frame ${f.header.frameId}`).toBeDefined();
      const confirmed = r!.detections.filter((d) => d.score >= CONF);
      expect(r!.detections).toEqual(confirmed);
      expect(f.header.count).toBe(confirmed.length);
      for (const rec of f.records) expect(rec.score).toBeGreaterThanOrEqual(CONF - 1e-6);
    }
    // Every frame's write reached the PLC (the last one at least), and some frames had objects.
    expect(plcFrames.some((f) => f.header.count > 0)).toBe(true);
  });

  it('the recording keeps the candidates between the floor and the threshold, and doubtful events', () => {
    expect(recorderCandidates).toBeGreaterThan(0);
    const index = new RecordingIndex(indexPath(recDir), { create: false, readonly: true });
    try {
      const track = index.track('live')!;
      expect([track.conf, track.candidateConf]).toEqual([CONF, FLOOR]);
      let below = 0;
      for (const f of index.frames()) {
        const stored = index.result('live', f.frameNo)!.detections;
        const live = results.get(f.frameId)!;
        // What the PLC saw is exactly the stored objects at or above the threshold.
        expect(stored.filter((d) => d.score >= CONF).map((d) => [d.className, d.score])).toEqual(
          live.detections.map((d) => [d.className, d.score]),
        );
        for (const d of stored) expect(d.score).toBeGreaterThanOrEqual(FLOOR);
        below += stored.filter((d) => d.score < CONF).length;
      }
      expect(below).toBe(recorderCandidates);
      expect(index.events('live').filter((e) => e.kind === 'doubtful').length).toBeGreaterThan(0);
    } finally {
      index.close();
    }
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/main/recording/recorder';
import { ReviewService } from '../../src/main/recording/review-service';
import { WORKER_JS } from '../helpers/paths';
import { fakeFrame, fakeResult, until } from '../helpers/recording';

const tmp = mkdtempSync(join(tmpdir(), 'vs-review-svc-'));
const service = new ReviewService({ roots: [tmp], workerPath: WORKER_JS });
afterAll(() => {
  service.close();
  rmSync(tmp, { recursive: true, force: true });
});

const dir = join(tmp, 'line1');
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  const rec = new Recorder({
    dir,
    fps: 10,
    segmentSeconds: 1,
    params: () => ({ confThreshold: 0.5, iouThreshold: 0.45 }),
    rules: { classes: ['bolt'], preRollMs: 100, postRollMs: 100 },
  });
  // 20 frames 100 ms apart; frames 5..8 show a bolt (0.9) and a doubtful nut (0.3).
  for (let n = 1; n <= 20; n++) {
    const t = T0 + n * 100;
    const dets =
      n >= 5 && n <= 8
        ? [
            {
              classId: 0,
              className: 'bolt',
              score: 0.9,
              box: [10, 10, 50, 50] as [number, number, number, number],
            },
            {
              classId: 1,
              className: 'nut',
              score: 0.3,
              box: [60, 10, 90, 40] as [number, number, number, number],
            },
          ]
        : [];
    const rgb = new Uint8Array(32 * 24 * 3).fill(n * 10);
    rec.offer(fakeResult(n, t, 320, 240, dets), fakeFrame(n, t, rgb, 32, 24));
    await until(`encoder taking frame ${n}`, () => rec.pictureBacklogBytes === 0);
  }
  await rec.close();
});

describe('review service', () => {
  it('lists recordings with their time span and tracks', async () => {
    const list = await service.listRecordings();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      path: dir,
      name: 'line1',
      startMs: T0 + 100,
      endMs: T0 + 2000,
      frames: 20,
    });
    expect(list[0]!.tracks.map((t) => [t.name, t.kind, t.model, t.confThreshold, t.frames])).toEqual([
      ['live', 'live', 'test-model', 0.5, 20],
    ]);
  });

  it('gives a timeline of counts (threshold applied) and the events in it', async () => {
    const tl = await service.timeline(dir, 'live', T0, T0 + 2000, 4);
    expect(tl.buckets.map((b) => [b.startMs - T0, b.frames, b.detections, b.byClass])).toEqual([
      [0, 4, 0, {}],
      [500, 5, 4, { bolt: 4 }],
      [1000, 5, 0, {}],
      [1500, 6, 0, {}],
    ]);
    expect(tl.events.map((e) => [e.kind, e.label, e.firstMs - T0, e.lastMs - T0, e.frames])).toEqual([
      ['class', 'bolt', 500, 800, 4],
    ]);
  });

  it('finds a frame by time, steps frame by frame, and returns its picture and results', async () => {
    const f = (await service.frame(dir, 'live', T0 + 650))!;
    expect([f.frameNo, f.captureTimeMs - T0, f.widthPx, f.heightPx]).toEqual([6, 600, 320, 240]);
    expect(f.detections.map((d) => [d.className, d.score, d.box])).toEqual([['bolt', 0.9, [10, 10, 50, 50]]]);
    expect(f.candidates.map((d) => d.className)).toEqual(['nut']);
    expect(f.pictureDataUrl).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect((await service.frame(dir, 'live', T0 + 650, 1))!.frameNo).toBe(7);
    expect((await service.frame(dir, 'live', T0 + 650, -2))!.frameNo).toBe(4);
    expect((await service.frame(dir, 'live', T0 + 650, 100))!.frameNo).toBe(20);
    expect((await service.frame(dir, 'live', T0, -1))!.frameNo).toBe(1);
  });

  it('exports an event as CSV', async () => {
    const [ev] = await service.events(dir, 'live');
    const out = join(tmp, 'ev.csv');
    expect(await service.export(dir, 'live', { format: 'csv', eventId: ev!.id }, out)).toEqual({
      track: 'live',
      frames: 6,
      detections: 4,
      withoutPicture: 0,
    });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(5);
  });
});

import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder, type RecorderAlarm } from '../../src/main/recording/recorder';
import { RecordingIndex } from '../../src/main/recording/index-db';
import { Recording } from '../../src/main/recording/reader';
import { exportRecording } from '../../src/main/recording/export';
import sharp from 'sharp';
import { decodedFrameCount, fakeFrame, fakeResult, mountTmpfs, unmount, until } from '../helpers/recording';

const tmp = mkdtempSync(join(tmpdir(), 'vs-rec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const W = 64;
const H = 48;
const params = () => ({ confThreshold: 0.5, iouThreshold: 0.45 });

/** A picture that changes every frame: top half grey level 7n (mod 256), a moving bar below. */
function picture(n: number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  rgb.fill((n * 7) % 256, 0, (W * H * 3) / 2);
  for (let y = H / 2; y < H; y++)
    for (let x = 0; x < W; x++) if ((x + n) % W < 8) rgb.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return rgb;
}

/** Offer frames one per event-loop turn, as a pipeline would (the encoder can drain between). */
async function feed(
  rec: Recorder,
  count: number,
  t0: number,
  stepMs: number,
  detect?: (n: number) => boolean,
) {
  for (let n = 1; n <= count; n++) {
    const t = t0 + n * stepMs;
    const dets = detect?.(n)
      ? [
          {
            classId: 0,
            className: 'part',
            score: n % 2 ? 0.9 : 0.3,
            box: [1, 2, 30, 40] as [number, number, number, number],
          },
        ]
      : [];
    rec.offer(fakeResult(n, t, W * 10, H * 10, dets), fakeFrame(n, t, picture(n), W, H));
    // A pipeline would drop pictures the encoder cannot take; these tests want every one recorded.
    await until(`encoder taking frame ${n}`, () => rec.pictureBacklogBytes === 0);
  }
}

describe('recorder', () => {
  it('writes fixed-length playable segments and finds every frame and its results by time', async () => {
    const dir = join(tmp, 'basic');
    const rec = new Recorder({
      dir,
      fps: 10,
      segmentSeconds: 1,
      params,
      rules: { classes: ['part'], doubtful: { minScore: 0.2 }, preRollMs: 100, postRollMs: 100 },
    });
    const events: string[] = [];
    rec.on('event', (e) => events.push(`${e.kind}:${e.label}:${e.firstMs}-${e.lastMs}`));
    // Frames 11..15 show a part (odd ones above the threshold, even ones doubtful), 30..31 again.
    await feed(rec, 35, 1_000_000, 40, (n) => (n >= 11 && n <= 15) || n === 30 || n === 31);
    await rec.close();
    expect(rec.stats()).toMatchObject({
      framesIndexed: 35,
      framesRecorded: 35,
      picturesDropped: 0,
      stoppedBecause: null,
    });

    expect(readdirSync(join(dir, 'segments')).sort()).toEqual([
      'seg-000001.mp4',
      'seg-000002.mp4',
      'seg-000003.mp4',
      'seg-000004.mp4',
    ]);
    const idx = new RecordingIndex(join(dir, 'index.sqlite'), { create: false });
    try {
      const segs = idx.segments();
      expect(segs.map((s) => [s.seq, s.frames, s.startMs])).toEqual([
        [1, 10, 1_000_040],
        [2, 10, 1_000_440],
        [3, 10, 1_000_840],
        [4, 5, 1_001_240],
      ]);
      for (const s of segs)
        expect(decodedFrameCount(join(dir, 'segments', s.file))).toEqual({
          ok: true,
          frames: s.frames,
          error: '',
        });
      // Frame 13 was captured at 1_000_520: it is the 3rd frame of segment 2.
      const f = idx.frameAt(1_000_530)!;
      expect(f).toEqual({
        frameNo: 13,
        frameId: 13,
        captureTimeMs: 1_000_520,
        widthPx: 640,
        heightPx: 480,
        segmentSeq: 2,
        indexInSegment: 2,
      });
      // The picture extracted for frame 13 is frame 13 (grey 91), not a neighbour (84, 98), at the
      // camera size its boxes are measured in.
      const rec13 = await Recording.open(dir);
      try {
        const rgb = await rec13.picture(f, 'rgb');
        expect(rgb.length).toBe(640 * 480 * 3);
        expect(Math.abs(rgb[(100 * 640 + 100) * 3]! - 91)).toBeLessThanOrEqual(3);
        const first = await rec13.picture(idx.frameAt(1_000_040)!, 'rgb');
        expect(Math.abs(first[(100 * 640 + 100) * 3]! - 7)).toBeLessThanOrEqual(3);
        // An export extracts many pictures per ffmpeg run: each file is still its own frame.
        const out = join(tmp, 'basic-yolo');
        expect(await exportRecording(rec13, { format: 'yolo', out })).toEqual({
          track: 'live',
          frames: 35,
          detections: 4,
          withoutPicture: 0,
        });
        for (const n of [1, 10, 11, 13, 20, 35]) {
          const { data } = await sharp(join(out, 'images', `frame-${String(n).padStart(8, '0')}.jpg`))
            .raw()
            .toBuffer({ resolveWithObject: true });
          expect(Math.abs(data[(100 * 640 + 100) * 3]! - ((n * 7) % 256)), `frame ${n}`).toBeLessThanOrEqual(
            3,
          );
        }
      } finally {
        rec13.close();
      }
      expect(idx.result('live', 13)).toMatchObject({
        model: 'test-model',
        conf: 0.5,
        detections: [{ className: 'part', score: 0.9, box: [1, 2, 30, 40] }],
      });
      expect(idx.tracks()).toMatchObject([
        { name: 'live', kind: 'live', model: 'test-model', frames: 35, classNames: ['part'] },
      ]);
      // Odd frames 11, 13, 15 and 31 are confirmed parts; 12, 14, 30 doubtful candidates. Gaps
      // longer than pre+post roll (200 ms) split the events.
      expect(events.sort()).toEqual(
        [
          'class:part:1000440-1000600',
          'class:part:1001240-1001240',
          'doubtful:part:1000480-1000560',
          'doubtful:part:1001200-1001200',
        ].sort(),
      );
      expect(idx.events('live').map((e) => [e.kind, e.startMs, e.endMs])).toEqual([
        ['class', 1_000_340, 1_000_700],
        ['doubtful', 1_000_380, 1_000_660],
        ['doubtful', 1_001_100, 1_001_300],
        ['class', 1_001_140, 1_001_340],
      ]);
    } finally {
      idx.close();
    }
  });

  it('records the preview picture (camera aspect) of a model-sized, letterboxed frame, not the model input', async () => {
    const dir = join(tmp, 'letterboxed');
    const rec = new Recorder({ dir, fps: 10, segmentSeconds: 1, params });
    const M = 64; // the model input: the W×H picture letterboxed into M×M, grey bars above and below
    for (let n = 1; n <= 3; n++) {
      const t = 2_000_000 + n * 100;
      const frame = {
        ...fakeFrame(n, t, new Uint8Array(M * M * 3).fill(114), M, M),
        preview: { rgb: picture(n), widthPx: W, heightPx: H },
      };
      rec.offer(fakeResult(n, t, W * 10, H * 10), frame);
      await until(`encoder taking frame ${n}`, () => rec.pictureBacklogBytes === 0);
    }
    await rec.close();
    expect(rec.stats()).toMatchObject({ framesIndexed: 3, framesRecorded: 3, picturesDropped: 0 });
    const idx = new RecordingIndex(join(dir, 'index.sqlite'), { create: false });
    try {
      expect(idx.segments().map((s) => [s.widthPx, s.heightPx, s.frames])).toEqual([[W, H, 3]]);
    } finally {
      idx.close();
    }
  });

  it('keeps the segment files within the size limit, deleting the oldest first', async () => {
    const dir = join(tmp, 'retention');
    const rec = new Recorder({
      dir,
      fps: 10,
      segmentSeconds: 1,
      params,
      retention: { maxBytes: 1, maxAgeMs: null },
    });
    await feed(rec, 45, 2_000_000, 100);
    await rec.close();
    // With a 1-byte limit only the segment being written, and the one or two ffmpeg may still be
    // finishing when a rotation looks (that depends on how busy the machine is), survive; the
    // oldest go first, and the index says exactly what is on disk.
    const left = readdirSync(join(dir, 'segments')).sort();
    expect(left.at(-1)).toBe('seg-000005.mp4');
    expect(left.length).toBeLessThanOrEqual(3);
    const keptSeqs = left.map((n) => Number(/seg-(\d+)\.mp4/.exec(n)![1]));
    expect(keptSeqs).toEqual(Array.from({ length: left.length }, (_, i) => 6 - left.length + i));
    expect(rec.stats().segmentsDeleted).toBe(5 - left.length);
    const idx = new RecordingIndex(join(dir, 'index.sqlite'), { create: false });
    try {
      expect(idx.segments().map((s) => s.seq)).toEqual(keptSeqs);
      expect(
        idx
          .segments(true)
          .filter((s) => s.deleted)
          .map((s) => s.seq),
      ).toEqual(Array.from({ length: 5 - left.length }, (_, i) => i + 1));
      // Results outlive the pictures under the size limit.
      expect(idx.frames()).toHaveLength(45);
    } finally {
      idx.close();
    }
  });

  it('forgets segments and results older than the age limit', async () => {
    const dir = join(tmp, 'age');
    const rec = new Recorder({
      dir,
      fps: 10,
      segmentSeconds: 1,
      params,
      retention: { maxBytes: null, maxAgeMs: 2500 },
    });
    await feed(rec, 45, 3_000_000, 100);
    await rec.close();
    // Segment 5 opened at 3_004_100: segments 1 and 2 (started 3_000_100, 3_001_100) are older than 2.5 s.
    expect(readdirSync(join(dir, 'segments')).sort()).toEqual([
      'seg-000003.mp4',
      'seg-000004.mp4',
      'seg-000005.mp4',
    ]);
    const idx = new RecordingIndex(join(dir, 'index.sqlite'), { create: false });
    try {
      expect(idx.frames()[0]!.captureTimeMs).toBe(3_001_600);
    } finally {
      idx.close();
    }
  });

  const canMount = mountTmpfs(join(tmp, 'probe-mount'), 1 << 20);
  if (canMount) unmount(join(tmp, 'probe-mount'));

  it.skipIf(!canMount)(
    'a full disk stops recording with one alarm, never throws, and leaves finished segments playable',
    async () => {
      const dir = join(tmp, 'full');
      expect(mountTmpfs(dir, 1536 * 1024)).toBe(true);
      try {
        const rec = new Recorder({
          dir,
          fps: 5,
          segmentSeconds: 1,
          params,
          retention: { maxBytes: null, maxAgeMs: null },
        });
        const alarms: RecorderAlarm[] = [];
        rec.on('alarm', (a) => alarms.push(a));
        const w = 160;
        const h = 120;
        const noise = new Uint8Array(w * h * 3);
        let n = 0;
        // Noise does not compress: the 1.5 MiB disk fills after some dozens of frames.
        while (alarms.length === 0) {
          n++;
          if (n > 2000) throw new Error('the disk never filled: no alarm after 2000 frames');
          randomFillSync(noise);
          expect(() =>
            rec.offer(
              fakeResult(n, 5_000_000 + n * 200, w, h),
              fakeFrame(n, 5_000_000 + n * 200, noise, w, h),
            ),
          ).not.toThrow();
          await until(`encoder taking frame ${n}`, () => rec.pictureBacklogBytes === 0);
        }
        // The line goes on: later frames are accepted without error and without effect.
        const indexed = rec.stats().framesIndexed;
        for (let k = 1; k <= 20; k++)
          expect(() =>
            rec.offer(fakeResult(n + k, 6_000_000 + k, w, h), fakeFrame(n + k, 6_000_000 + k, noise, w, h)),
          ).not.toThrow();
        await rec.close();
        expect(alarms, JSON.stringify(alarms)).toHaveLength(1);
        expect(alarms[0]!.reason).toMatch(/No space left on device|SQLITE_FULL|disk is full/i);
        expect(rec.stats().framesIndexed).toBe(indexed);
        expect(rec.stats().stoppedBecause).toBe(alarms[0]!.reason);
        const files = readdirSync(join(dir, 'segments')).sort();
        expect(files.length, `${alarms[0]!.reason}; files ${files.join(' ')}`).toBeGreaterThan(4);
        // Every finished segment decodes in full (5 frames). ffmpeg may still have been writing the
        // last two (its stdin backlog crosses a rotation) when the disk filled.
        for (const f of files.slice(0, -2))
          expect(decodedFrameCount(join(dir, 'segments', f)), `${f} of ${files.join(' ')}`).toEqual({
            ok: true,
            frames: 5,
            error: '',
          });
      } finally {
        unmount(dir);
      }
    },
  );
});

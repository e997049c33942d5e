/**
 * Recording and review from the command line: run --record on a clip, export (COCO, Label
 * Studio), re-run with another model, compare, and a disk that fills while recording.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelStudio, type LsTask } from '../../src/main/core/formats/labelstudio';
import type { CocoDataset } from '../../src/main/core/formats/coco';
import { jsonLines, runCli } from '../helpers/cli';
import { sharedImage, sharedModel } from '../helpers/paths';
import { RecordingIndex } from '../../src/main/recording/index-db';
import { decodedFrameCount, FFMPEG, mountTmpfs, unmount } from '../helpers/recording';

interface RunLine {
  frameId: number;
  captureTimeMs: number;
  detections: { classId: number; className: string; score: number; box: [number, number, number, number] }[];
}

const tmp = mkdtempSync(join(tmpdir(), 'vs-review-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const YOLOX = sharedModel('yolox-nano-coco-416.onnx');
const YOLO11 = sharedModel('yolo11n-int8-coco-320.onnx');
const clip = join(tmp, 'dog-then-person.mp4');
const recording = join(tmp, 'rec');
let runLines: RunLine[] = [];

beforeAll(async () => {
  // Six frames of dog.jpg, then six of person.jpg, 640x480 at 10 fps.
  execFileSync(FFMPEG, [
    '-v', 'error', '-loop', '1', '-t', '0.6', '-i', sharedImage('dog.jpg'), '-loop', '1', '-t', '0.6', '-i', sharedImage('person.jpg'),
    '-filter_complex', '[0]scale=640:480,setsar=1,fps=10[a];[1]scale=640:480,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip,
  ]); // prettier-ignore
  const r = await runCli([
    'run', '--source', `file:${clip}?fps=max`, '--model', YOLOX, '--conf', '0.3', '--json',
    '--record', recording, '--segment-s', '1', '--event-class', 'car', '--plc', 'sim',
  ]); // prettier-ignore
  expect(r.code, r.stderr).toBe(0);
  runLines = (jsonLines(r.stdout) as RunLine[]).filter((l) => 'frameId' in l);
  expect(runLines).toHaveLength(12);
  expect(r.stderr).toContain(`recorded 12 frames (12 pictures, 0 dropped) into ${recording}`);
}, 120_000);

describe('run --record, then export', () => {
  it('COCO export of the recording gives the boxes, classes and scores run --json printed', async () => {
    const out = join(tmp, 'coco');
    const r = await runCli(['export', '--recording', recording, '--format', 'coco', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, 'annotations.json'), 'utf8')) as CocoDataset;
    expect(coco.images).toHaveLength(12);
    expect(readdirSync(join(out, 'images')).sort()).toEqual(coco.images.map((i) => i.file_name).sort());
    const names = new Map(coco.categories.map((c) => [c.id, c.name]));
    expect(names.get(1)).toBe('person');
    for (const line of runLines) {
      const img = coco.images.find(
        (i) => i.capture_time_ms === line.captureTimeMs && i.frame_id === line.frameId,
      )!;
      expect(img, `frame ${line.frameId} in the export`).toBeDefined();
      expect([img.width, img.height]).toEqual([640, 480]);
      const anns = coco.annotations.filter((a) => a.image_id === img.id);
      const got = anns.map((a) => ({
        className: names.get(a.category_id),
        classId: a.category_id - 1,
        score: Number(a.score.toFixed(4)),
        box: [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]].map((v) =>
          Number(v.toFixed(2)),
        ),
      }));
      expect(got).toEqual(
        line.detections.map((d) => ({
          className: d.className,
          classId: d.classId,
          score: d.score,
          box: d.box,
        })),
      );
      for (const a of anns) expect(a.area).toBeCloseTo(a.bbox[2] * a.bbox[3], 6);
    }
  });

  it('Label Studio export: task format, percent coordinates, one prediction per task, round trip within 0.01 %', async () => {
    const out = join(tmp, 'ls');
    const r = await runCli(['export', '--recording', recording, '--format', 'labelstudio', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const tasks = JSON.parse(readFileSync(join(out, 'tasks.json'), 'utf8')) as LsTask[];
    expect(tasks).toHaveLength(12);
    const files = new Set(readdirSync(join(out, 'images')));
    for (const t of tasks) {
      expect(Object.keys(t).sort()).toEqual(['data', 'predictions']);
      expect(t.data.image).toMatch(/^\/data\/local-files\/\?d=images\/frame-\d{8}\.jpg$/);
      expect(files.has(t.data.image.slice('/data/local-files/?d=images/'.length))).toBe(true);
      expect(t.predictions).toHaveLength(1);
      const p = t.predictions[0];
      expect(p.model_version).toBe('yolox-nano-coco-416');
      expect(p.result.length).toBeGreaterThan(0);
      for (const res of p.result) {
        expect(res).toMatchObject({
          type: 'rectanglelabels',
          from_name: 'label',
          to_name: 'image',
          original_width: 640,
          original_height: 480,
        });
        expect(typeof res.id).toBe('string');
        const v = res.value as {
          x: number;
          y: number;
          width: number;
          height: number;
          rectanglelabels: string[];
        };
        expect(v.rectanglelabels).toHaveLength(1);
        for (const n of [v.x, v.y, v.width, v.height, v.x + v.width, v.y + v.height]) {
          expect(n).toBeGreaterThanOrEqual(0);
          expect(n).toBeLessThanOrEqual(100);
        }
      }
    }
    expect(readFileSync(join(out, 'labeling-config.xml'), 'utf8')).toContain(
      '<RectangleLabels name="label" toName="image">',
    );
    // Back through the reader: the same boxes within 0.01 % of the image size.
    const back = readLabelStudio(tasks);
    back.forEach((img, i) => {
      const line = runLines[i]!;
      expect(img.objects.map((o) => o.className)).toEqual(line.detections.map((d) => d.className));
      img.objects.forEach((o, k) => {
        const want = line.detections[k]!.box;
        o.box.forEach((v, j) =>
          expect(Math.abs(v - want[j]!) / (j % 2 ? 480 : 640)).toBeLessThan(0.0001 + 0.01 / 480),
        );
      });
    });
  });

  it('the recording holds a car event over the dog frames, and exports by class and time range', async () => {
    const idx = new RecordingIndex(join(recording, 'index.sqlite'), { create: false, readonly: true });
    try {
      expect(idx.events('live').map((e) => [e.kind, e.label, e.firstMs, e.lastMs, e.frames])).toEqual([
        ['class', 'car', runLines[0]!.captureTimeMs, runLines[5]!.captureTimeMs, 6],
      ]);
      // The frame at a moment is the newest captured at or before it. An fps=max clip decodes a
      // frame ahead for each lane, so two can be captured within the same millisecond: which one
      // that is comes from the run's own lines.
      const t = runLines[7]!.captureTimeMs + 1;
      const newest = runLines.filter((l) => l.captureTimeMs <= t).at(-1)!;
      expect(newest.frameId).toBeGreaterThanOrEqual(8);
      expect(idx.frameAt(t)?.frameId).toBe(newest.frameId);
      // The PLC's write outcome is stored with the results of the frames it received.
      const plc = runLines.map((l) => idx.result('live', l.frameId)!.plc);
      expect(plc.filter((p) => p !== null).length).toBeGreaterThan(0);
      // Every write succeeded. Whether a result was stale depends on how loaded the machine was
      // (capture → write past the staleness limit), so only its presence is asserted here.
      expect(plc.every((p) => p === null || (p.ok && typeof p.stale === 'boolean'))).toBe(true);
    } finally {
      idx.close();
    }
    const r = await runCli([
      'export',
      '--recording',
      recording,
      '--format',
      'jsonl',
      '--class',
      'car',
      '--out',
      join(tmp, 'car.jsonl'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(tmp, 'car.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunLine);
    expect(lines.map((l) => l.frameId)).toEqual([1, 2, 3, 4, 5, 6]);
    const csv = join(tmp, 'range.csv');
    const from = runLines[7]!.captureTimeMs;
    const to = runLines[8]!.captureTimeMs;
    const c = await runCli([
      'export',
      '--recording',
      recording,
      '--format',
      'csv',
      '--from',
      String(from),
      '--to',
      String(to),
      '--out',
      csv,
    ]);
    expect(c.code, c.stderr).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe(
      'capture_time_ms,frame_no,frame_id,class_id,class_name,score,x1,y1,x2,y2,track_id,image_width,image_height',
    );
    const want = [runLines[7]!, runLines[8]!].flatMap((l) =>
      l.detections.map((d) => `${l.frameId},${d.className},${d.score}`),
    );
    expect(
      rows
        .slice(1)
        .map((l) => l.split(','))
        .map((f) => `${f[2]},${f[4]},${f[5]}`),
    ).toEqual(want);
  });
});

describe('rerun and compare', () => {
  it('a re-run with another model becomes a new track, and compare lists where the models differ', async () => {
    const rr = await runCli([
      'rerun',
      '--recording',
      recording,
      '--model',
      YOLO11,
      '--conf',
      '0.3',
      '--out',
      'y11',
    ]);
    expect(rr.code, rr.stderr).toBe(0);
    expect(rr.stderr).toContain('rerun: 12/12 frames (100 %)');
    expect(JSON.parse(rr.stdout)).toMatchObject({ track: 'y11', frames: 12 });
    const again = await runCli(['rerun', '--recording', recording, '--model', YOLO11, '--out', 'y11']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("result track 'y11' exists already");

    const c = await runCli(['compare', '--recording', recording, '--a', 'live', '--b', 'y11', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const out = JSON.parse(c.stdout) as {
      frames: {
        frameNo: number;
        onlyA: { className: string }[];
        onlyB: { className: string }[];
        classChanged: unknown[];
        moved: unknown[];
      }[];
      summary: {
        framesCompared: number;
        perClass: Record<string, { countA: number; countB: number; onlyA: number }>;
        a: { fps: number };
        b: { fps: number; model: string };
      };
    };
    // Expected from detect with both models on these frames: YOLOX-nano also sees a cat on the dog
    // and a cow on the horse (scores 0.31-0.44, run to run), YOLO11n sees neither but calls the
    // pickup behind the dog a truck (0.37-0.43). Dog, car, bicycle, person and horse agree (> 0.7).
    // Scores near the 0.3 threshold may fall either side, hence "most frames" for those three.
    expect(out.summary.framesCompared).toBe(12);
    const dogFrames = out.frames.filter((f) => f.frameNo <= 6);
    const personFrames = out.frames.filter((f) => f.frameNo > 6);
    for (const f of out.frames) {
      const onlyA = f.onlyA.map((d) => d.className);
      const onlyB = f.onlyB.map((d) => d.className);
      expect(
        onlyA.every((c) => c === (f.frameNo <= 6 ? 'cat' : 'cow')),
        `frame ${f.frameNo}: ${onlyA}`,
      ).toBe(true);
      expect(
        onlyB.every((c) => c === 'truck' && f.frameNo <= 6),
        `frame ${f.frameNo}: ${onlyB}`,
      ).toBe(true);
      expect(f.classChanged).toEqual([]);
      expect(f.moved).toEqual([]);
    }
    expect(dogFrames.filter((f) => f.onlyA.length === 1).length).toBeGreaterThanOrEqual(4);
    expect(dogFrames.filter((f) => f.onlyB.length === 1).length).toBeGreaterThanOrEqual(4);
    expect(personFrames.filter((f) => f.onlyA.length === 1).length).toBeGreaterThanOrEqual(4);
    for (const cls of ['dog', 'car', 'bicycle', 'person', 'horse'])
      expect(out.summary.perClass[cls], cls).toMatchObject({
        countA: cls === 'dog' ? 12 : 6,
        countB: cls === 'dog' ? 12 : 6,
        onlyA: 0,
      });
    expect(out.summary.perClass['cat']!.countB).toBe(0);
    expect(out.summary.perClass['cat']!.onlyA).toBe(out.summary.perClass['cat']!.countA);
    expect(out.summary.b.model).toBe('yolo11n-int8-coco-320');
    expect(out.summary.a.fps).toBeGreaterThan(0);
    expect(out.summary.b.fps).toBeGreaterThan(0);
  });

  it('a plain video file is a recording too: rerun indexes its frames, export reads them', async () => {
    const video = join(tmp, 'plain.mp4');
    execFileSync('cp', [clip, video]);
    const rr = await runCli([
      'rerun',
      '--recording',
      video,
      '--model',
      YOLO11,
      '--conf',
      '0.3',
      '--out',
      'y11',
    ]);
    expect(rr.code, rr.stderr).toBe(0);
    expect(JSON.parse(rr.stdout)).toMatchObject({ frames: 12 });
    const out = join(tmp, 'plain-yolo');
    const e = await runCli(['export', '--recording', video, '--format', 'yolo', '--out', out]);
    expect(e.code, e.stderr).toBe(0);
    expect(readdirSync(join(out, 'labels'))).toHaveLength(12);
    expect(readFileSync(join(out, 'data.yaml'), 'utf8')).toContain("  16: 'dog'");
    const label = readFileSync(join(out, 'labels', 'frame-00000001.txt'), 'utf8')
      .trim()
      .split('\n');
    // bicycle, car and dog (the truck is near the threshold at this size).
    expect(label.map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['1', '2', '16']));
    for (const l of label)
      for (const v of l.split(' ').slice(1).map(Number)) expect(v >= 0 && v <= 1).toBe(true);
  });
});

const canMount = (() => {
  const probe = join(tmp, 'probe');
  const ok = mountTmpfs(probe, 1 << 20);
  if (ok) unmount(probe);
  return ok;
})();

describe('a full disk while recording', () => {
  it.skipIf(!canMount)(
    'raises an alarm, the pipeline and PLC writes go on, finished segments stay playable',
    async () => {
      const disk = join(tmp, 'small-disk');
      expect(mountTmpfs(disk, 1024 * 1024)).toBe(true);
      try {
        const r = await runCli([
        'run', '--source', 'synthetic:?size=480x270&fps=60', '--model', 'classic', '--frames', '240',
        '--plc', 'sim', '--json', '--record', join(disk, 'rec'), '--segment-s', '1',
      ]); // prettier-ignore
        expect(r.code, r.stderr).toBe(0);
        const alarm = r.stderr.split('\n').filter((l) => /recording stopped, the line goes on/.test(l));
        expect(alarm, r.stderr).toHaveLength(1);
        expect(alarm[0]).toMatch(/No space left on device|database or disk is full/);
        // Every frame was processed, and the PLC kept receiving results after the alarm.
        const lines = jsonLines(r.stdout) as ({ frameId: number } | { summary: { frames: number } })[];
        expect((lines.at(-1) as { summary: { frames: number } }).summary.frames).toBe(240);
        const recorded = Number(/recorded (\d+) frames/.exec(r.stderr)![1]);
        expect(recorded).toBeLessThan(240);
        const plcFrames = r.stderr
          .split('\n')
          .filter((l) => l.startsWith('plc-sim: '))
          .map((l) => (JSON.parse(l.slice('plc-sim: '.length)) as { frameId: number }).frameId);
        expect(Math.max(...plcFrames)).toBeGreaterThan(230);
        const segs = readdirSync(join(disk, 'rec', 'segments')).sort();
        expect(segs.length).toBeGreaterThan(3);
        for (const f of segs.slice(0, -2))
          expect(decodedFrameCount(join(disk, 'rec', 'segments', f))).toEqual({
            ok: true,
            frames: 10,
            error: '',
          });
      } finally {
        unmount(disk);
      }
    },
    120_000,
  );
});

mkdirSync(tmp, { recursive: true });

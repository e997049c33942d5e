/**
 * The station's review methods on a real recording (made by `run --record` from a clip, real
 * ffmpeg) and a plain video in the data folder's videos/: listing by id only, frames with their
 * stored results, export into exports/, re-run with progress and cancel, compare, and recording
 * the live line from the settings. A name outside the listed recordings is refused.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ARGS } from '../../src/shared/api-schemas';
import type { ReviewJobState } from '../../src/shared/review';
import type { CocoDataset } from '../../src/main/core/formats/coco';
import { Station } from '../../src/main/station/station';
import { jsonLines, runCli } from '../helpers/cli';
import { sharedImage, sharedModel, WORKER_JS } from '../helpers/paths';
import { FFMPEG, until } from '../helpers/recording';

interface RunLine {
  frameId: number;
  captureTimeMs: number;
  detections: { className: string; score: number; box: [number, number, number, number] }[];
}

const dataDir = mkdtempSync(join(tmpdir(), 'vs-station-review-'));
const modelsDir = join(dataDir, 'extra-models');
const Y11 = join(modelsDir, 'yolo11n-int8-coco-320.onnx');
const REC = 'recordings/line1';
let station: Station;
let runLines: RunLine[] = [];

beforeAll(async () => {
  mkdirSync(join(dataDir, 'videos'), { recursive: true });
  mkdirSync(modelsDir);
  symlinkSync(sharedModel('yolo11n-int8-coco-320.onnx'), Y11);
  const clip = join(dataDir, 'videos', 'clip.mp4');
  // Five frames of dog.jpg, then five of person.jpg, 640x480 at 10 fps.
  execFileSync(FFMPEG, [
    '-v', 'error', '-loop', '1', '-t', '0.5', '-i', sharedImage('dog.jpg'), '-loop', '1', '-t', '0.5', '-i', sharedImage('person.jpg'),
    '-filter_complex', '[0]scale=640:480,setsar=1,fps=10[a];[1]scale=640:480,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip,
  ]); // prettier-ignore
  const r = await runCli([
    'run', '--source', `file:${clip}?fps=max`, '--model', sharedModel('yolox-nano-coco-416.onnx'),
    '--conf', '0.3', '--json', '--record', join(dataDir, REC), '--segment-s', '1', '--event-class', 'person',
  ]); // prettier-ignore
  expect(r.code, r.stderr).toBe(0);
  runLines = (jsonLines(r.stdout) as RunLine[]).filter((l) => 'frameId' in l);
  expect(runLines).toHaveLength(10);
  // A light live line: the synthetic scene on the classic detector, no PLC.
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ source: 'synthetic:?size=320x240&fps=10', modelId: 'classic', plc: { uri: null } }),
  );
  station = new Station({
    backend: 'websocket',
    version: 't',
    dataDir,
    projectModelsDir: join(dataDir, 'none'),
    extraModelsDirs: [modelsDir],
    workerPath: WORKER_JS,
    log: () => {},
  });
  await station.start();
}, 180_000);

afterAll(async () => {
  await station?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function jobEnd(): Promise<ReviewJobState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the re-run did not end within 120 s')), 120_000);
    const on = (s: ReviewJobState): void => {
      if (s.state === 'running') return;
      clearTimeout(timer);
      station.off('review', on);
      resolve(s);
    };
    station.on('review', on);
  });
}

describe('review through the station', () => {
  it('lists the recording and the plain video by id, never by a path on the PC', async () => {
    const list = await station.listRecordings();
    expect(list.map((r) => [r.path, r.name, r.frames])).toEqual([
      [REC, 'line1', 10],
      ['videos/clip.mp4', 'clip.mp4', 0],
    ]);
    expect(list[0]!.tracks.map((t) => [t.name, t.confThreshold, t.frames])).toEqual([['live', 0.3, 10]]);
    expect(JSON.stringify(list)).not.toContain(dataDir);
  });

  it('refuses a recording that is not in the list', async () => {
    for (const id of [
      '/etc/passwd',
      '../settings.json',
      'recordings/../settings.json',
      'exports/x',
      'recordings/',
    ])
      expect(API_ARGS.getRecordingInfo.safeParse([{ recording: id }]).success, id).toBe(false);
    // Past the schema, the station accepts only names listed right now.
    for (const id of [
      'recordings/..',
      'recordings/nope',
      'videos/..',
      'videos/clip.mp4.review',
      'recordings/.',
    ])
      await expect(station.getRecordingInfo({ recording: id }), id).rejects.toThrow(
        `no recording '${id}' (choose one from the list of recordings)`,
      );
    await expect(
      station.getReviewFrame({ recording: 'videos/../../etc', track: 'live', timeMs: 0, step: 0 }),
    ).rejects.toThrow('choose one from the list of recordings');
    await expect(
      station.exportRecording({ recording: 'recordings/settings.json', track: 'live', format: 'csv' }),
    ).rejects.toThrow('choose one from the list of recordings');
  });

  it('gives each frame with its picture and the results run --json printed; steps forward and back', async () => {
    const first = (await station.getReviewFrame({ recording: REC, track: 'live', timeMs: 0, step: 0 }))!;
    expect(first.captureTimeMs).toBe(runLines[0]!.captureTimeMs);
    let frame = first;
    for (const line of runLines) {
      expect([frame.frameId, frame.captureTimeMs]).toEqual([line.frameId, line.captureTimeMs]);
      // run --json prints scores to 4 decimals and boxes to 2.
      expect(
        frame.detections.map((d) => [
          d.className,
          Number(d.score.toFixed(4)),
          d.box.map((v) => Number(v.toFixed(2))),
        ]),
      ).toEqual(line.detections.map((d) => [d.className, d.score, d.box]));
      expect(frame.pictureDataUrl?.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
      const next = (await station.getReviewFrame({
        recording: REC,
        track: 'live',
        timeMs: frame.captureTimeMs,
        step: 1,
      }))!;
      if (line === runLines[0] || line === runLines[5]) {
        const back = await station.getReviewFrame({
          recording: REC,
          track: 'live',
          timeMs: next.captureTimeMs,
          step: -1,
        });
        expect(back?.frameNo).toBe(frame.frameNo);
      }
      if (line === runLines.at(-1)) expect(next.frameNo).toBe(frame.frameNo); // no frame after the last
      frame = next;
    }
  });

  it('decodes at most two pictures at once and lets eight requests wait; more are refused', async () => {
    const asks = Array.from({ length: 12 }, (_, i) =>
      station.getReviewFrame({
        recording: REC,
        track: 'live',
        timeMs: runLines[i % 10]!.captureTimeMs,
        step: 0,
      }),
    );
    const settled = await Promise.allSettled(asks);
    expect(settled.map((s) => s.status)).toEqual([...Array(10).fill('fulfilled'), 'rejected', 'rejected']);
    expect((settled[11] as PromiseRejectedResult).reason).toEqual(
      new Error('too many frame requests at once; try again'),
    );
    // Every slot was given back: one more request is served.
    expect(
      (await station.getReviewFrame({ recording: REC, track: 'live', timeMs: 0, step: 0 }))?.frameNo,
    ).toBe(1);
  });

  it('gives the timeline and the events (a person from frame 6 on)', async () => {
    const [info] = await station.listRecordings();
    const tl = await station.getReviewTimeline({
      recording: REC,
      track: 'live',
      fromMs: info!.startMs!,
      toMs: info!.endMs!,
      buckets: 2,
    });
    expect(tl.buckets.reduce((s, b) => s + b.frames, 0)).toBe(10);
    const persons = runLines.reduce(
      (s, l) => s + l.detections.filter((d) => d.className === 'person').length,
      0,
    );
    expect(tl.buckets.reduce((s, b) => s + (b.byClass['person'] ?? 0), 0)).toBe(persons);
    const events = await station.getReviewEvents({ recording: REC, track: 'live' });
    const firstPerson = runLines.find((l) => l.detections.some((d) => d.className === 'person'))!;
    expect(events.filter((e) => e.kind === 'class').map((e) => [e.label, e.firstMs])).toEqual([
      ['person', firstPerson.captureTimeMs],
    ]);
  });

  it('exports into exports/ of the data folder and says where and how many', async () => {
    const coco = await station.exportRecording({ recording: REC, track: 'live', format: 'coco' });
    expect(coco.path.startsWith(join(dataDir, 'exports', 'line1-live-'))).toBe(true);
    const ds = JSON.parse(readFileSync(join(coco.path, 'annotations.json'), 'utf8')) as CocoDataset;
    const total = runLines.reduce((s, l) => s + l.detections.length, 0);
    expect([coco.frames, coco.detections, coco.withoutPicture]).toEqual([10, total, 0]);
    expect([ds.images.length, ds.annotations.length]).toEqual([10, total]);
    expect(readdirSync(join(coco.path, 'images'))).toHaveLength(10);
    // A selection: the second half only, as CSV (one row per object under a header).
    const csv = await station.exportRecording({
      recording: REC,
      track: 'live',
      format: 'csv',
      fromMs: runLines[5]!.captureTimeMs,
    });
    const rows = readFileSync(csv.path, 'utf8').trim().split('\n');
    const half = runLines.slice(5).reduce((s, l) => s + l.detections.length, 0);
    expect([csv.frames, csv.detections, rows.length - 1]).toEqual([5, half, half]);
    expect(csv.path).not.toBe(coco.path);
  });

  it('re-runs with another model of the library (progress as events), then compares the tracks', async () => {
    const seen: ReviewJobState[] = [];
    station.on('review', (s) => seen.push(s));
    const end = jobEnd();
    const started = await station.startRerun({
      recording: REC,
      modelId: Y11,
      confThreshold: 0.3,
      iouThreshold: 0.45,
      out: 'y11',
    });
    expect([started.state, started.track]).toEqual(['running', 'y11']);
    await expect(
      station.startRerun({
        recording: REC,
        modelId: 'classic',
        confThreshold: 0.3,
        iouThreshold: 0.45,
        out: 'x',
      }),
    ).rejects.toThrow('a re-run of recordings/line1 is running');
    const done = await end;
    expect([done.state, done.done, done.error]).toEqual(['done', 10, null]);
    expect(seen[0]!.state).toBe('running');
    expect(await station.getRerun()).toEqual(done);
    const cmp = await station.compareTracks({ recording: REC, a: 'live', b: 'y11' });
    expect([cmp.a.model, cmp.b.model, cmp.framesCompared]).toEqual([
      'yolox-nano-coco-416',
      'yolo11n-int8-coco-320',
      10,
    ]);
    expect(cmp.frames).toHaveLength(cmp.framesDifferent);
    const perClassB = Object.values(cmp.perClass).reduce((s, c) => s + c.countB, 0);
    const y11 = await station.getReviewFrame({ recording: REC, track: 'y11', timeMs: 0, step: 0 });
    expect(y11?.model).toBe('yolo11n-int8-coco-320');
    expect(perClassB).toBeGreaterThan(0);
  });

  it('a re-run of the plain video can be cancelled; the video is listed with its partial track', async () => {
    const end = jobEnd();
    await station.startRerun({
      recording: 'videos/clip.mp4',
      modelId: 'classic',
      confThreshold: 0.3,
      iouThreshold: 0.45,
      out: 'partial',
    });
    const cancelled = await station.cancelRerun();
    expect(cancelled.state).toBe('cancelled');
    expect((await end).state).toBe('cancelled');
    const video = (await station.listRecordings()).find((r) => r.path === 'videos/clip.mp4')!;
    expect(video.tracks.map((t) => t.name)).toEqual(['partial']);
  });

  it('records the live line once recording is switched on in the settings', async () => {
    const on = await station.setRecording({ enabled: true });
    expect([on.enabled, on.recording]).toEqual([true, 'recordings/live']);
    await until(
      'the live line recording 3 frames',
      () => (station['liveRecording']?.stats()?.framesIndexed ?? 0) >= 3,
      30_000,
    );
    const off = await station.setRecording({ enabled: false });
    expect(off.enabled).toBe(false);
    const live = (await station.listRecordings()).find((r) => r.path === 'recordings/live')!;
    expect(live.frames).toBeGreaterThanOrEqual(3);
    expect(live.tracks.map((t) => [t.name, t.kind, t.model])).toEqual([
      ['live', 'live', station.vision.engine.model!.name],
    ]);
    await station['store'].flush();
    const saved = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      recording: { enabled: boolean };
    };
    expect(saved.recording.enabled).toBe(false);
  });

  it('a recording folder that cannot be written raises the recording alarm; the line goes on', async () => {
    const live = join(dataDir, 'recordings', 'live');
    rmSync(live, { recursive: true, force: true });
    writeFileSync(live, 'not a folder');
    const framesBefore = (await station.getSnapshot()).stats.frames;
    await station.setRecording({ enabled: true });
    const alarm = (await station.getSnapshot()).alarms.find((a) => a.kind === 'recording');
    expect(alarm?.active).toBe(true);
    expect(alarm?.message).toMatch(/^cannot record: /);
    await until(
      'the live line producing frames',
      () => station.vision.pipeline!.stats().frames > framesBefore + 2,
    );
    // Switched off, the alarm goes.
    await station.setRecording({ enabled: false });
    expect((await station.getSnapshot()).alarms.find((a) => a.kind === 'recording')?.active).toBe(false);
  });
});

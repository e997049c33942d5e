/**
 * Frames handed over, not copied: ffmpeg makes the model-sized (letterboxed) frame and a preview
 * picture of the same frame on a second pipe, the ring lives in shared memory that the inference
 * worker reads in place, and positions still come out in camera pixels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from '../../src/main/capture/create-source';
import { buildFfmpegArgs } from '../../src/main/capture/ffmpeg-source';
import type { Frame, FrameSource, SourceOptions } from '../../src/main/capture/types';
import { VisionRuntime } from '../../src/main/app/runtime';
import { iouXyxy } from '../../src/main/core/geometry';
import type { ModelFrameFormat } from '../../src/main/core/model-frame';
import { InferenceEngine } from '../../src/main/inference/engine';
import { Pipeline } from '../../src/main/pipeline/pipeline';
import { PreviewEncoder } from '../../src/main/station/preview-encoder';
import { PreviewPairing } from '../../src/main/station/preview-pairing';
import { attachRecorder } from '../../src/main/app/attach-recorder';
import { RecordingIndex } from '../../src/main/recording/index-db';
import { indexPath } from '../../src/main/recording/layout';
import type { FrameResult } from '../../src/shared/frame';
import { FOOTAGE_DIR, sharedModel, WORKER_JS } from '../helpers/paths';
import { isAlive, lavfiClip, makeClip } from './capture-helpers';

const PARAMS = { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null };
const YOLO_320: ModelFrameFormat = {
  widthPx: 320,
  heightPx: 320,
  resize: 'letterbox',
  padCentred: true,
  padValue: 114,
};
const BOTTLES = join(FOOTAGE_DIR, 'bottle-detection.mp4');

let dir = '';
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vs-handover-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `source`, calls `onFrame` for each frame, resolves at end of stream (or fails at the deadline). */
function playToEnd(source: FrameSource, onFrame: (f: Frame) => void, timeoutMs = 20_000): Promise<void> {
  cleanups.push(() => source.stop());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`source did not reach end of stream in ${timeoutMs} ms: ${source.stateReason}`)),
      timeoutMs,
    );
    source.on('frame', onFrame);
    source.on('state', (c) => {
      if (c.state === 'stopped' || c.state === 'error') {
        clearTimeout(timer);
        if (c.reason === 'end of stream') resolve();
        else reject(new Error(`source ${c.state}: ${c.reason}`));
      }
    });
    void source.start();
  });
}

/** 20 frames of 160x120 where frame k has grey level 10·k everywhere, losslessly stored: each picture names its frame. */
async function levelsClip(name: string): Promise<string> {
  return lavfiClip(
    join(dir, name),
    "color=c=black:s=160x120:r=25:d=0.8,format=rgb24,geq=r='10*N':g='10*N':b='10*N'",
    ['-c:v', 'rawvideo', '-pix_fmt', 'rgb24'],
  );
}

const rowValues = (rgb: Uint8Array, widthPx: number, y: number): Set<number> =>
  new Set(rgb.subarray(y * widthPx * 3, (y + 1) * widthPx * 3));

describe('the model-sized frame made by ffmpeg', () => {
  it('asks ffmpeg for the letterboxed frame on pipe 1 and the preview of the same frame on pipe 3', () => {
    const args = buildFfmpegArgs(
      { kind: 'file', path: '/a.mp4', fps: 10, loop: false },
      {
        modelFrame: YOLO_320,
        previewFitInside: { widthPx: 1280, heightPx: 1280 },
        networkTimeoutMs: 5000,
        probeDurationMs: 1000,
        caps: { rtspTimeoutOption: '-timeout', fpsModeOption: '-fps_mode' },
      },
    );
    const out = ['-an', '-sn', '-dn', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24'];
    expect(args.slice(args.indexOf('-filter_complex'))).toEqual([
      '-filter_complex',
      "[0:v:0]fps=10,split=2[m][p];[m]scale=w='round(iw*min(320/iw\\,320/ih))':h='round(ih*min(320/iw\\,320/ih))'" +
        ":flags=bilinear,format=rgb24,pad=w=320:h=320:x='max(0\\,round((320-iw)/2-0.1))':y='max(0\\,round((320-ih)/2-0.1))'" +
        ":color=0x727272[mo];[p]scale=w='min(1280\\,iw)':h='min(1280\\,ih)':force_original_aspect_ratio=decrease" +
        ':flags=bilinear,format=rgb24[po]',
      '-map',
      '[mo]',
      ...out,
      'pipe:1',
      '-map',
      '[po]',
      ...out,
      'pipe:3',
    ]);
  });

  it('is letterboxed as Ultralytics does, with a preview of the same frame and exact numbers to map back', async () => {
    const clip = await makeClip(dir, 'hd.mp4', 4, '1280x720');
    const source = createSource(`file:${clip}?fps=max`, {
      modelFrame: YOLO_320,
      previewFitInside: { widthPx: 640, heightPx: 640 },
      whenBuffersBusy: 'wait',
      sharedMemory: true,
    });
    const seen: {
      id: number;
      size: string;
      sharedRgb: boolean;
      sharedPreview: boolean;
      padRows: number[];
      imageRow: number;
      preview: string;
      letterbox: Frame['letterbox'];
      sourceSize: Frame['sourceSize'];
    }[] = [];
    await playToEnd(source, (f) => {
      const padRows = [0, 69, 250, 319].filter((y) => {
        const v = rowValues(f.rgb, f.widthPx, y);
        return v.size === 1 && v.has(114);
      });
      seen.push({
        id: f.frameId,
        size: `${f.widthPx}x${f.heightPx}`,
        sharedRgb: f.rgb.buffer instanceof SharedArrayBuffer,
        sharedPreview: f.preview?.rgb.buffer instanceof SharedArrayBuffer,
        padRows,
        // The test pattern's first picture row: many colours, not the pad.
        imageRow: rowValues(f.rgb, f.widthPx, 70).size,
        preview: `${f.preview?.widthPx}x${f.preview?.heightPx}:${f.preview?.rgb.length}`,
        letterbox: f.letterbox,
        sourceSize: f.sourceSize,
      });
    });
    expect(seen.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    for (const s of seen) {
      expect(s.size).toBe('320x320');
      expect(s.sharedRgb).toBe(true);
      // The preview stays on the main thread: ordinary memory, never dragged into the worker.
      expect(s.sharedPreview).toBe(false);
      expect(s.padRows).toEqual([0, 69, 250, 319]);
      expect(s.imageRow).toBeGreaterThan(4);
      expect(s.preview).toBe(`640x360:${640 * 360 * 3}`);
      expect(s.sourceSize).toEqual({ widthPx: 1280, heightPx: 720 });
      expect(s.letterbox).toEqual({
        srcWidthPx: 1280,
        srcHeightPx: 720,
        dstWidthPx: 320,
        dstHeightPx: 320,
        scale: 0.25,
        scaleY: 0.25,
        resizedWidthPx: 320,
        resizedHeightPx: 180,
        padLeftPx: 0,
        padTopPx: 70,
      });
    }
  });

  it('puts the picture top-left for YOLOX-style models', async () => {
    const clip = await makeClip(dir, 'hd-yolox.mp4', 2, '1280x720');
    const source = createSource(`file:${clip}?fps=max`, {
      modelFrame: { ...YOLO_320, padCentred: false },
      whenBuffersBusy: 'wait',
    });
    const pads: number[][] = [];
    await playToEnd(source, (f) => {
      expect(f.preview).toBeUndefined();
      expect(f.letterbox?.padTopPx).toBe(0);
      pads.push(
        [0, 179, 180, 319].filter((y) => {
          const v = rowValues(f.rgb, f.widthPx, y);
          return v.size === 1 && v.has(114);
        }),
      );
    });
    expect(pads).toEqual([
      [180, 319],
      [180, 319],
    ]);
  });

  it('gives frames decoded flat out strictly increasing capture times', async () => {
    const clip = await makeClip(dir, 'burst.mp4', 60, '64x48');
    const source = createSource(`file:${clip}?fps=max`, { ringSize: 16 });
    const times: number[] = [];
    await playToEnd(source, (f) => times.push(f.captureTimeMs));
    expect(times).toHaveLength(60);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
  });

  it('loses and duplicates no frame, and pairs each model frame with its own preview', async () => {
    const clip = await levelsClip('levels.nut');
    const source = createSource(`file:${clip}?fps=max`, {
      modelFrame: { ...YOLO_320, widthPx: 64, heightPx: 64 },
      previewFitInside: { widthPx: 80, heightPx: 80 },
      whenBuffersBusy: 'wait',
      ringSize: 3,
      sharedMemory: true,
    });
    const got: [number, number, number][] = [];
    await playToEnd(source, (f) => {
      // The model frame's centre (inside the picture, below the 8-row pad) and the preview's.
      got.push([f.frameId, f.rgb[(32 * 64 + 32) * 3]!, f.preview!.rgb[(30 * 80 + 40) * 3]!]);
      // A slow consumer: holds every frame for a while, so the decoder waits for free buffers.
      f.retain();
      setTimeout(() => f.release(), 5);
    });
    expect(got).toEqual(Array.from({ length: 20 }, (_, k) => [k + 1, 10 * k, 10 * k]));
    expect(source.stats.droppedNoBuffer).toBe(0);
  });

  it('with previewEvery, sends the preview of every n-th frame apart, after its frame, and loses no frame', async () => {
    const clip = await levelsClip('levels-detached.nut');
    // Every 3rd frame, with fewer ring buffers than that: the decoder waits for free buffers
    // while a picture waits for its frame, and nothing may wait on something that waits on it.
    const source = createSource(`file:${clip}?fps=max`, {
      modelFrame: { ...YOLO_320, widthPx: 64, heightPx: 64 },
      previewFitInside: { widthPx: 80, heightPx: 80 },
      previewEvery: 3,
      whenBuffersBusy: 'wait',
      ringSize: 2,
      sharedMemory: true,
    });
    const events: string[] = [];
    const frames: [number, number][] = [];
    source.onPreview!((p) => {
      const { picture: pic } = p;
      events.push(`preview ${p.frameId} ${pic.widthPx}x${pic.heightPx} ${pic.rgb[(30 * 80 + 40) * 3]}`);
    });
    await playToEnd(source, (f) => {
      expect(f.preview).toBeUndefined();
      frames.push([f.frameId, f.rgb[(32 * 64 + 32) * 3]!]);
      events.push(`frame ${f.frameId}`);
      // A slow consumer: holds every frame for a while, so the decoder waits for free buffers.
      f.retain();
      setTimeout(() => f.release(), 5);
    });
    expect(frames).toEqual(Array.from({ length: 20 }, (_, k) => [k + 1, 10 * k]));
    const previews = events.filter((e) => e.startsWith('preview'));
    // Frames 1, 4, ..., 19 (k = 0, 3, ..., 18): each its own picture, at 80x60.
    expect(previews).toEqual(Array.from({ length: 7 }, (_, i) => `preview ${3 * i + 1} 80x60 ${10 * 3 * i}`));
    // Each after its own frame.
    for (let i = 0; i < 7; i++)
      expect(events.indexOf(`preview ${3 * i + 1} 80x60 ${30 * i}`)).toBeGreaterThan(
        events.indexOf(`frame ${3 * i + 1}`),
      );
    expect(source.stats.droppedNoBuffer).toBe(0);
  });

  it('asks ffmpeg to make the preview of every n-th frame only, before scaling it', () => {
    const args = buildFfmpegArgs(
      { kind: 'file', path: '/c.mp4', loop: false, fps: 'native' },
      {
        modelFrame: YOLO_320,
        previewFitInside: { widthPx: 1280, heightPx: 1280 },
        previewEvery: 4,
        networkTimeoutMs: 5000,
        probeDurationMs: 1000,
        caps: { rtspTimeoutOption: '-timeout', fpsModeOption: '-fps_mode' },
      },
    );
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain("[p]select='not(mod(n\\,4))',scale=w='min(1280\\,iw)'");
  });

  it('stops its ffmpeg process (both pipes) on stop()', async () => {
    const clip = await makeClip(dir, 'loop.mp4', 10, '640x360');
    const source = createSource(`file:${clip}?loop=1`, {
      modelFrame: YOLO_320,
      previewFitInside: { widthPx: 320, heightPx: 320 },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame within 10 s')), 10_000);
      source.on('frame', () => {
        clearTimeout(timer);
        resolve();
      });
      void source.start();
    });
    const pid = source.pid!;
    expect(isAlive(pid)).toBe(true);
    await source.stop();
    expect(isAlive(pid)).toBe(false);
    expect(source.pid).toBeUndefined();
  });
});

describe('inference on handed-over frames', () => {
  let engine: InferenceEngine;
  beforeAll(async () => {
    engine = new InferenceEngine({ workerPath: WORKER_JS });
    await engine.load({
      kind: 'onnx',
      path: sharedModel('yolo11n-int8-coco-320.onnx'),
      providers: ['cpu'],
      intraOpThreads: 1,
    });
  }, 60_000);
  afterAll(() => engine.close());

  async function detect(options: SourceOptions, frames = 10): Promise<Map<number, FrameResult>> {
    const source = createSource(`file:${BOTTLES}?fps=max`, {
      whenBuffersBusy: 'wait',
      ringSize: 2,
      ...options,
    });
    const pipeline = new Pipeline({ source, engine, params: PARAMS, maxFrames: frames });
    cleanups.push(() => pipeline.stop());
    const results = new Map<number, FrameResult>();
    pipeline.on('result', (r, f) => {
      expect(f.rgb.buffer instanceof SharedArrayBuffer).toBe(options.sharedMemory === true);
      results.set(r.frameId, r);
    });
    await pipeline.start();
    await pipeline.done();
    await pipeline.stop();
    return results;
  }

  it('the model reports its frame format', () => {
    expect(engine.frameFormat).toEqual(YOLO_320);
  });

  it('gives exactly the same detections from shared memory as from a copied frame', async () => {
    const format = engine.frameFormat!;
    const shared = await detect({ modelFrame: format, sharedMemory: true });
    const copied = await detect({ modelFrame: format, sharedMemory: false });
    expect([...shared.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect([...copied.keys()]).toEqual([...shared.keys()]);
    let boxes = 0;
    for (const [id, r] of shared) {
      expect(r.detections).toEqual(copied.get(id)!.detections);
      boxes += r.detections.length;
    }
    expect(boxes).toBeGreaterThan(10);
  }, 60_000);

  it('reports boxes in camera pixels from the letterboxed frame, where the full frame finds them', async () => {
    const fromModelFrame = await detect({ modelFrame: engine.frameFormat!, sharedMemory: true }, 5);
    // The reference: the full 640x360 picture, letterboxed by the worker's own preprocessing.
    const fromFullFrame = await detect({ sharedMemory: true }, 5);
    for (const [id, ref] of fromFullFrame) {
      const r = fromModelFrame.get(id)!;
      expect([r.widthPx, r.heightPx]).toEqual([640, 360]);
      const sure = ref.detections.filter((d) => d.score > 0.5);
      expect(sure.length).toBeGreaterThan(0);
      for (const d of sure) {
        const best = Math.max(
          ...r.detections.filter((e) => e.classId === d.classId).map((e) => iouXyxy(e.box, d.box)),
        );
        // Two resamplers (ffmpeg's, libvips') see slightly different pixels; the boxes agree closely.
        expect(best).toBeGreaterThan(0.9);
      }
    }
  }, 60_000);
});

describe('the runtime with a preview (the operator app)', () => {
  /** A runtime as the app builds it (with a preview), closed after the test, yolo11n loaded. */
  async function appRuntime(): Promise<VisionRuntime> {
    const rt = new VisionRuntime({
      workerPath: WORKER_JS,
      log: () => {},
      params: PARAMS,
      previewMaxSidePx: 320,
    });
    cleanups.push(() => rt.close());
    await rt.loadModel(sharedModel('yolo11n-int8-coco-320.onnx'));
    return rt;
  }

  it('feeds the model frame to inference, the preview picture to the screen, and stops ffmpeg on close', async () => {
    const rt = await appRuntime();
    const { source, pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`);
    const seen: string[] = [];
    const previews: number[] = [];
    rt.on('result', (r, f) => {
      seen.push(
        `${r.widthPx}x${r.heightPx} ${f.widthPx}x${f.heightPx} ${f.preview?.widthPx}x${f.preview?.heightPx}`,
      );
    });
    rt.on('preview', (frameId, pic) => {
      // Apart from its frame, after it: that frame's result is out or still in inference.
      expect(`${pic.widthPx}x${pic.heightPx}`).toBe('320x180');
      previews.push(frameId);
    });
    const until = (what: string, ok: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what} within 30 s`)), 30_000);
        const check = (): void => {
          if (!ok()) return;
          clearTimeout(timer);
          rt.off('result', check);
          resolve();
        };
        rt.on('result', check);
      });
    await pipeline.start();
    // fps=max: the preview of every 24th frame (previewEveryFor), apart from the frames.
    await until('4 previews', () => previews.length >= 4);
    expect(seen.slice(0, 3)).toEqual(Array(3).fill('640x360 320x320 undefinedxundefined'));
    const first = previews[0]!;
    expect(previews.slice(0, 4)).toEqual(Array.from({ length: 4 }, (_, i) => first + 24 * i));
    const pid = source.pid!;
    expect(isAlive(pid)).toBe(true);
    // A live recording keeps every frame's picture: the decoder is refitted to make every one,
    // with its frame, beside the running one, and that one is stopped.
    await rt.setPreviewOfEveryFrame(true);
    expect(rt.source).not.toBe(source);
    expect(isAlive(pid)).toBe(false);
    const from = seen.length;
    await until('3 results with their preview', () => seen.length >= from + 3);
    expect(seen.slice(from, from + 3)).toEqual(Array(3).fill('640x360 320x320 320x180'));
    const newPid = rt.source!.pid!;
    await rt.close();
    expect(isAlive(newPid)).toBe(false);
  }, 60_000);

  it('a live recording gets every frame with its preview picture from its first frame, and gives the decoder back', async () => {
    const rt = await appRuntime();
    const { pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`);
    await pipeline.start();
    const recDir = join(dir, 'live-recording');
    const recorder = await attachRecorder({ dir: recDir }, { runtime: rt, log: () => {} });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('20 frames not recorded within 30 s')), 30_000);
      const check = (): void => {
        if (recorder.stats().framesIndexed < 20) return;
        clearTimeout(timer);
        rt.off('result', check);
        resolve();
      };
      rt.on('result', check);
    });
    const recordingSource = rt.source;
    await recorder.close();
    const index = new RecordingIndex(indexPath(recDir), { create: false, readonly: true });
    try {
      // Every indexed frame has its picture, all at the preview's size (none letterboxed at 320x320).
      expect(index.segments().map((g) => `${g.widthPx}x${g.heightPx}`)).toEqual(['320x180']);
      const frames = index.frames();
      expect(frames.length).toBeGreaterThanOrEqual(20);
      expect(frames.filter((f) => f.segmentSeq === null)).toEqual([]);
    } finally {
      index.close();
    }
    // Recording off: the decoder goes back to the live view's previews only.
    const detached = await new Promise<number>((resolve) => rt.once('preview', (id) => resolve(id)));
    expect(detached).toBeGreaterThan(0);
    expect(rt.source).not.toBe(recordingSource);
  }, 90_000);

  it('decodes each frame of an fps=max file once: none dropped while a slow screen gets previews', async () => {
    const rt = new VisionRuntime({
      workerPath: WORKER_JS,
      log: () => {},
      params: PARAMS,
      previewMaxSidePx: 320,
      // As the station runs it: its screen needs the cores that spinning threads would take.
      intraOpSpinning: false,
      // The slowest live view: its pictures come the furthest after their frames' results.
      previewFps: 1,
    });
    cleanups.push(() => rt.close());
    const info = await rt.loadModel(sharedModel('yolo11n-int8-coco-320.onnx'));
    expect(info.cpuThreads?.spinning).toBe(false);
    expect(info.cpuThreads?.trials.every((t) => !t.spinning)).toBe(true);
    const { pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`);
    // As the station wires it: every preview put back with its result and offered to a watched
    // encoder with no rate cap.
    const encoder = new PreviewEncoder({ maxSidePx: 320, maxFps: 0 });
    encoder.subscribers = 1;
    let previews = 0;
    encoder.on('frame', () => previews++);
    const pairing = new PreviewPairing<FrameResult>(
      (r, pic) => encoder.offer(r, pic, null),
      () => encoder.wants(),
    );
    rt.on('preview', (id, pic) => pairing.preview(id, pic));
    const ids: number[] = [];
    const enough = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${ids.length} of 60 results within 60 s`)),
        60_000,
      );
      rt.on('result', (r) => {
        pairing.result(r);
        ids.push(r.frameId);
        if (ids.length === 60) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await pipeline.start();
    await enough;
    expect(ids.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => ids[0]! + i));
    expect(pipeline.stats().dropped).toBe(0);
    // Frames 0 and 24 (MAX_PREVIEW_EVERY), each picture paired with its result.
    expect(previews).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('makes frames for a new model of another input size, and stops the old ffmpeg', async () => {
    const rt = await appRuntime();
    const { source, pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`);
    const firstPid = new Promise<number>((resolve) => rt.once('result', () => resolve(source.pid!)));
    await pipeline.start();
    const oldPid = await firstPid;
    const refitted = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no 416x416 frame within 40 s of the swap')), 40_000);
      rt.on('result', (r, f) => {
        if (f.widthPx !== 416) return;
        clearTimeout(timer);
        resolve(`${r.modelName} ${r.widthPx}x${r.heightPx} ${f.widthPx}x${f.heightPx}`);
      });
    });
    // The refitted source's previews come apart from its frames, still at camera aspect.
    const preview = new Promise<string>((resolve) =>
      rt.on('preview', (_id, pic) => {
        if (rt.source !== source) resolve(`${pic.widthPx}x${pic.heightPx}`);
      }),
    );
    await rt.loadModel(sharedModel('yolox-nano-coco-416.onnx'));
    expect(await refitted).toBe('yolox-nano-coco-416 640x360 416x416');
    expect(await preview).toBe('320x180');
    expect(rt.source).not.toBe(source);
    expect(isAlive(oldPid)).toBe(false);
    const newPid = rt.source!.pid!;
    await rt.close();
    expect(isAlive(newPid)).toBe(false);
  }, 90_000);
});

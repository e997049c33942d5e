import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { threadCandidates } from '../../src/main/core/cpu-threads';
import { decoderFor } from '../../src/main/core/decoders';
import { float16ToFloat32Array, float32ToFloat16Array } from '../../src/main/core/float16';
import {
  PADDLE_PREPROCESS,
  ULTRALYTICS_PREPROCESS,
  YOLOX_PREPROCESS,
  type ModelLayout,
  type Preprocess,
} from '../../src/main/core/model-layout';
import { decodeImagePath } from '../../src/main/inference/image-input';
import { OnnxModel, sessionOptions } from '../../src/main/inference/onnx-model';
import { prepareInput, prepareInputFloat16 } from '../../src/main/inference/preprocess';
import { sharedImage, sharedModel } from '../helpers/paths';

const PARAMS = { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 300, classFilter: null };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('session threads', () => {
  it('builds options with an explicit thread count and spinning, and refuses a count below 1', () => {
    const o = sessionOptions('cpu', { intraOpThreads: 2, spinning: true });
    expect(o.intraOpNumThreads).toBe(2);
    expect(o.executionProviders).toEqual(['cpu']);
    expect(o.extra).toEqual({ session: { intra_op: { allow_spinning: '1' } } });
    expect(sessionOptions('cpu', { intraOpThreads: 1, spinning: false }).extra).toEqual({
      session: { intra_op: { allow_spinning: '0' } },
    });
    expect(() => sessionOptions('cpu', { intraOpThreads: 0, spinning: false })).toThrow(
      'intra-op threads must be a positive integer, got 0',
    );
  });

  it('times the candidates at load and passes an explicit count to every session it creates', async () => {
    // A spy that calls through: the real sessions are created, their options recorded.
    const create = vi.spyOn(ort.InferenceSession, 'create');
    const model = await OnnxModel.load({
      kind: 'onnx',
      path: sharedModel('yolo11n-int8-coco-320.onnx'),
      providers: ['cpu'],
      intraOpThreads: 0,
    });
    try {
      const cores = availableParallelism();
      const passed = create.mock.calls.map(
        (c) => (c[1] as ort.InferenceSession.SessionOptions).intraOpNumThreads,
      );
      const t = model.info.cpuThreads!;
      expect(t.chosenBy).toBe('measured');
      expect([1, cores]).toContain(t.intraOpThreads);
      // Every candidate is timed (one session each), the cheapest first.
      expect(t.trials.map((x) => ({ intraOpThreads: x.intraOpThreads, spinning: x.spinning }))).toEqual(
        threadCandidates(cores),
      );
      // The model as it is, probed once, then the row-filtered model (onnx-row-filter.ts) per candidate.
      expect(passed).toEqual([
        threadCandidates(cores)[0]!.intraOpThreads,
        ...threadCandidates(cores).map((c) => c.intraOpThreads),
      ]);
      expect(t.trials.every((x) => x.fps > 0)).toBe(true);
      // The kept session answers.
      const img = await decodeImagePath(sharedImage('dog.jpg'));
      expect((await model.run(img, PARAMS)).detections.length).toBeGreaterThan(0);
    } finally {
      await model.release();
    }
  });

  it('lets an explicit thread count and spinning win: no timing, every session with that count', async () => {
    const create = vi.spyOn(ort.InferenceSession, 'create');
    const model = await OnnxModel.load({
      kind: 'onnx',
      path: sharedModel('yolo11n-int8-coco-320.onnx'),
      providers: ['cpu'],
      intraOpThreads: 3,
      spinning: true,
    });
    try {
      // The probe's session and the row-filtered one that replaces it (onnx-row-filter.ts).
      expect(create).toHaveBeenCalledTimes(2);
      for (const call of create.mock.calls) {
        const opts = call[1] as ort.InferenceSession.SessionOptions;
        expect(opts.intraOpNumThreads).toBe(3);
        expect(opts.extra).toEqual({ session: { intra_op: { allow_spinning: '1' } } });
      }
      expect(model.info.cpuThreads).toEqual({
        intraOpThreads: 3,
        spinning: true,
        chosenBy: 'override',
        trials: [],
      });
    } finally {
      await model.release();
    }
  });
});

function layoutOf(preprocess: Preprocess, inputLayout: 'nchw' | 'nhwc', w: number, h: number): ModelLayout {
  return {
    family: 'yolov5',
    task: 'detect',
    inputName: 'images',
    inputType: 'float16',
    inputLayout,
    inputWidthPx: w,
    inputHeightPx: h,
    extraInputs: [],
    numClasses: 80,
    outputNames: ['output'],
    preprocess,
    scoreActivation: 'sigmoid',
  };
}

describe('float16 input from the pixels', () => {
  const cases: [string, Preprocess, 'nchw' | 'nhwc'][] = [
    ['Ultralytics letterbox NCHW', ULTRALYTICS_PREPROCESS, 'nchw'],
    ['YOLOX top-left BGR NHWC', YOLOX_PREPROCESS, 'nhwc'],
    ['ImageNet stretch NCHW', PADDLE_PREPROCESS, 'nchw'],
  ];
  it.each(cases)('%s: bit for bit the float32 input converted per element', async (_n, pre, inputLayout) => {
    const img = await decodeImagePath(sharedImage('horses.jpg'));
    const layout = layoutOf(pre, inputLayout, 320, 256);
    const f32 = await prepareInput(img, layout);
    const reused = new Uint16Array(3 * 320 * 256).fill(0xffff);
    const f16 = await prepareInputFloat16(img, layout, reused);
    expect(f16.bits).toBe(reused);
    expect(f16.letterbox).toEqual(f32.letterbox);
    expect(Buffer.from(f16.bits.buffer).equals(Buffer.from(float32ToFloat16Array(f32.chw).buffer))).toBe(
      true,
    );
  });
});

describe('float16 model (yolov5n-fp16-coco-640)', () => {
  it('gives exactly the detections of the per-element path, frame after frame with reused buffers', async () => {
    const path = sharedModel('yolov5n-fp16-coco-640.onnx');
    const model = await OnnxModel.load({ kind: 'onnx', path, providers: ['cpu'], intraOpThreads: 1 });
    const reference = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
    try {
      // The layout the model decoded with; the reference below repeats the old path with it.
      const layout = Reflect.get(model, 'layout') as ModelLayout;
      expect(layout.inputType).toBe('float16');
      const decode = decoderFor(layout.family);
      const oldPath = async (img: Awaited<ReturnType<typeof decodeImagePath>>) => {
        const { chw, letterbox } = await prepareInput(img, layout);
        const dims = [1, 3, layout.inputHeightPx, layout.inputWidthPx];
        const out = await reference.run({
          [layout.inputName]: new ort.Tensor('float16', float32ToFloat16Array(chw), dims),
        });
        const t = out[layout.outputNames[0]!]!;
        const data = float16ToFloat32Array(t.data as unknown as Uint16Array);
        return decode(
          [{ dims: t.dims, data }],
          { layout, letterbox, classNames: model.info.classNames },
          PARAMS,
        );
      };
      const dog = await decodeImagePath(sharedImage('dog.jpg'));
      const horses = await decodeImagePath(sharedImage('horses.jpg'));
      const expectedDog = await oldPath(dog);
      const expectedHorses = await oldPath(horses);
      expect(expectedDog.map((d) => d.className)).toContain('dog');
      expect(expectedHorses.map((d) => d.className)).toContain('horse');
      // dog, horses, dog: the second dog frame reads buffers the horses frame wrote.
      expect((await model.run(dog, PARAMS)).detections).toEqual(expectedDog);
      expect((await model.run(horses, PARAMS)).detections).toEqual(expectedHorses);
      expect((await model.run(dog, PARAMS)).detections).toEqual(expectedDog);
      // A lower threshold converts more rows of the same reused buffer.
      const low = { ...PARAMS, confThreshold: 0.05 };
      const { chw, letterbox } = await prepareInput(dog, layout);
      const out = await reference.run({
        [layout.inputName]: new ort.Tensor('float16', float32ToFloat16Array(chw), [1, 3, 640, 640]),
      });
      const t = out[layout.outputNames[0]!]!;
      const expectedLow = decode(
        [{ dims: t.dims, data: float16ToFloat32Array(t.data as unknown as Uint16Array) }],
        { layout, letterbox, classNames: model.info.classNames },
        low,
      );
      expect((await model.run(dog, low)).detections).toEqual(expectedLow);
    } finally {
      await model.release();
      await reference.release();
    }
  });
});

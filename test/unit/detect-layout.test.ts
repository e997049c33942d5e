import { describe, expect, it } from 'vitest';
import { detectModelLayout, gridCellCount, resolveInputSize } from '../../src/main/core/detect-layout';
import { UnsupportedModelError } from '../../src/main/core/model-layout';
import type { TensorSpec } from '../../src/main/core/tensor';

const img = (shape: (number | string)[], type = 'float32'): TensorSpec[] => [{ name: 'images', type, shape }];
const out = (...shapes: number[][]): TensorSpec[] =>
  shapes.map((s, i) => ({ name: `output${i}`, type: 'float32', shape: s }));

describe('grid sizes', () => {
  it('counts anchor-free cells over strides 8/16/32', () => {
    expect(gridCellCount(640, 640)).toBe(8400);
    expect(gridCellCount(416, 416)).toBe(3549);
    expect(gridCellCount(320, 320)).toBe(2100);
  });
});

describe('resolveInputSize', () => {
  it('prefers a static shape, then imgsz metadata, then 640', () => {
    expect(resolveInputSize(img([1, 3, 320, 416])[0]!, {})).toEqual({ widthPx: 416, heightPx: 320 });
    expect(resolveInputSize(img(['b', 3, 'h', 'w'])[0]!, { imgsz: '[384, 640]' })).toEqual({
      widthPx: 640,
      heightPx: 384,
    });
    expect(resolveInputSize(img(['b', 3, 'h', 'w'])[0]!, {})).toEqual({ widthPx: 640, heightPx: 640 });
  });
});

describe('detectModelLayout', () => {
  it('YOLOv8 detect [1,84,8400] with names metadata', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 640, 640]),
      outputs: out([1, 84, 8400]),
      outputDims: [[1, 84, 8400]],
      metadata: {
        names: "{0: 'a', " + Array.from({ length: 79 }, (_, i) => `${i + 1}: 'n${i + 1}'`).join(', ') + '}',
        task: 'detect',
      },
    });
    expect(r.layout.family).toBe('yolov8');
    expect(r.layout.numClasses).toBe(80);
    expect(r.classNames[0]).toBe('a');
    expect(r.layout.preprocess).toEqual({
      channelOrder: 'rgb',
      pixelScale: 1 / 255,
      padCentred: true,
      padValue: 114,
    });
  });
  it('YOLOv5 float16 with symbolic shapes, decided from the probe dims', () => {
    const r = detectModelLayout({
      inputs: img(['batch', 3, 'height', 'width'], 'float16'),
      outputs: [{ name: 'output', type: 'float16', shape: ['batch', 'd1', 'd2'] }],
      outputDims: [[1, 25200, 85]],
      metadata: {},
    });
    expect([r.layout.family, r.layout.inputType, r.layout.numClasses, r.classNames[16]]).toEqual([
      'yolov5',
      'float16',
      80,
      'dog',
    ]);
  });
  it('YOLOX raw grid output [1,3549,85] at 416 gets BGR 0..255 top-left padding', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 416, 416]),
      outputs: out([1, 3549, 85]),
      outputDims: [[1, 3549, 85]],
      metadata: {},
    });
    expect(r.layout.family).toBe('yolox');
    expect(r.layout.preprocess).toEqual({
      channelOrder: 'bgr',
      pixelScale: 1,
      padCentred: false,
      padValue: 114,
    });
  });
  it('segmentation puts detections before protos whatever the file order', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 320, 320]),
      outputs: out([1, 32, 80, 80], [1, 116, 2100]),
      outputDims: [
        [1, 32, 80, 80],
        [1, 116, 2100],
      ],
      metadata: { task: 'segment' },
    });
    expect([r.layout.family, r.layout.task, r.layout.numClasses]).toEqual(['yolov8-seg', 'segment', 80]);
    expect(r.layout.outputNames).toEqual(['output1', 'output0']);
  });
  it('end-to-end [1,300,6]', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 640, 640]),
      outputs: out([1, 300, 6]),
      outputDims: [[1, 300, 6]],
      metadata: { end2end: 'True' },
    });
    expect(r.layout.family).toBe('e2e');
  });
  it('a sidecar overrides family, names and preprocessing', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 640, 640]),
      outputs: out([1, 8400, 7]),
      outputDims: [[1, 8400, 7]],
      metadata: {},
      overrides: { family: 'yolox', names: ['bolt', 'nut'], preprocess: { channelOrder: 'rgb' } },
    });
    expect([r.layout.family, r.layout.numClasses, r.classNames, r.layout.preprocess.channelOrder]).toEqual([
      'yolox',
      2,
      ['bolt', 'nut'],
      'rgb',
    ]);
  });
  it('refuses an unknown layout naming its shapes', () => {
    const run = () =>
      detectModelLayout({
        inputs: img([1, 3, 257, 257]),
        outputs: out([1, 21, 257, 257]),
        outputDims: [[1, 21, 257, 257]],
        metadata: {},
      });
    expect(run).toThrow(UnsupportedModelError);
    expect(run).toThrow('images float32 [1,3,257,257]; outputs: output0 float32 [1,21,257,257]');
  });
  it('refuses NHWC input and multi-input models', () => {
    expect(() =>
      detectModelLayout({
        inputs: img([1, 257, 257, 3]),
        outputs: out([1, 84, 8400]),
        outputDims: [[1, 84, 8400]],
        metadata: {},
      }),
    ).toThrow(/NCHW/);
    expect(() =>
      detectModelLayout({
        inputs: [...img([1, 3, 320, 320]), { name: 'scale', type: 'float32', shape: [1, 2] }],
        outputs: out([100, 6]),
        outputDims: [[100, 6]],
        metadata: {},
      }),
    ).toThrow(/one image input, found 2/);
  });
  it('refuses names metadata that disagrees with the output', () => {
    expect(() =>
      detectModelLayout({
        inputs: img([1, 3, 640, 640]),
        outputs: out([1, 84, 8400]),
        outputDims: [[1, 84, 8400]],
        metadata: { names: "{0: 'a'}" },
      }),
    ).toThrow(/1 class names but the output has 80/);
  });
});

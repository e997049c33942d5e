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
      resize: 'letterbox',
      channelOrder: 'rgb',
      mean: [0, 0, 0],
      std: [255, 255, 255],
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
      resize: 'letterbox',
      channelOrder: 'bgr',
      mean: [0, 0, 0],
      std: [1, 1, 1],
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
        inputs: img([1, 3, 64, 64]),
        outputs: out([1, 5, 5]),
        outputDims: [[1, 5, 5]],
        metadata: {},
      });
    expect(run).toThrow(UnsupportedModelError);
    expect(run).toThrow('images float32 [1,3,64,64]; outputs: output0 float32 [1,5,5]');
  });
  it('refuses inputs it cannot fill and images that are not 3-channel', () => {
    expect(() =>
      detectModelLayout({
        inputs: img([1, 4, 64, 64]),
        outputs: out([1, 84, 8400]),
        outputDims: [[1, 84, 8400]],
        metadata: {},
      }),
    ).toThrow(/not NCHW or NHWC with 3 channels/);
    expect(() =>
      detectModelLayout({
        inputs: [...img([1, 3, 320, 320]), { name: 'threshold', type: 'float32', shape: [1] }],
        outputs: out([100, 6]),
        outputDims: [[100, 6]],
        metadata: {},
      }),
    ).toThrow(/input 'threshold' is not one this app knows how to fill/);
  });
  it('semantic NHWC [1,H,W,C]: class axis last, stretch /255 by default, names from a sidecar', () => {
    const r = detectModelLayout({
      inputs: img([1, 257, 257, 3]),
      outputs: out([1, 257, 257, 21]),
      outputDims: [[1, 257, 257, 21]],
      metadata: {},
      overrides: {
        objectClasses: ['c15', 2],
        minAreaPx: 50,
        names: Array.from({ length: 21 }, (_, k) => `c${k}`),
      },
    });
    expect([r.layout.family, r.layout.task, r.layout.inputLayout, r.layout.numClasses]).toEqual([
      'semantic',
      'semantic',
      'nhwc',
      21,
    ]);
    expect([r.layout.inputWidthPx, r.layout.inputHeightPx, r.layout.preprocess.resize]).toEqual([
      257,
      257,
      'stretch',
    ]);
    expect(r.layout.semantic).toMatchObject({
      heads: [{ outputName: 'output0', classAxis: 3 }],
      objectClassIds: [15, 2],
      minAreaPx: 50,
    });
  });
  it('semantic NCHW with two heads: class axis 1, each head its own names', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 320, 320]),
      outputs: out([1, 2, 320, 320], [1, 2, 320, 320]),
      outputDims: [
        [1, 2, 320, 320],
        [1, 2, 320, 320],
      ],
      metadata: {},
      overrides: { heads: [{ name: 'drivable', names: ['bg', 'road'] }, {}] },
    });
    expect(r.layout.semantic!.heads).toEqual([
      { outputName: 'output0', name: 'drivable', classAxis: 1, classNames: ['bg', 'road'] },
      { outputName: 'output1', name: 'output1', classAxis: 1, classNames: ['class0', 'class1'] },
    ]);
  });
  it('an unknown object class is refused naming the field', () => {
    expect(() =>
      detectModelLayout({
        inputs: img([1, 3, 64, 64]),
        outputs: out([1, 3, 64, 64]),
        outputDims: [[1, 3, 64, 64]],
        metadata: {},
        overrides: { names: ['a', 'b', 'c'], objectClasses: ['d'] },
      }),
    ).toThrow("objectClasses: 'd' is not a class of head output0 (a, b, c)");
  });
  it('DETR labels/boxes/scores with orig_target_sizes: outputs ordered, second input recognised', () => {
    const r = detectModelLayout({
      inputs: [...img(['N', 3, 320, 320]), { name: 'orig_target_sizes', type: 'int64', shape: ['N', 2] }],
      outputs: [
        { name: 'labels', type: 'int64', shape: ['a', 'b'] },
        { name: 'boxes', type: 'float32', shape: ['a', 'b', 4] },
        { name: 'scores', type: 'float32', shape: ['a', 'b'] },
      ],
      outputDims: [
        [1, 300],
        [1, 300, 4],
        [1, 300],
      ],
      metadata: {},
    });
    expect([r.layout.family, r.layout.numClasses, r.layout.outputNames, r.layout.extraInputs]).toEqual([
      'detr',
      80,
      ['labels', 'boxes', 'scores'],
      [{ name: 'orig_target_sizes', role: 'origSizeWh', type: 'int64', dims: [1, 2] }],
    ]);
    expect(r.layout.preprocess).toMatchObject({ resize: 'stretch', mean: [0, 0, 0], std: [255, 255, 255] });
  });
  it('raw DETR head logits + boxes; softmax drops the no-object class', () => {
    const r = detectModelLayout({
      inputs: img([1, 3, 64, 64]),
      outputs: [
        { name: 'pred_boxes', type: 'float32', shape: [1, 10, 4] },
        { name: 'pred_logits', type: 'float32', shape: [1, 10, 4] },
      ],
      outputDims: [
        [1, 10, 4],
        [1, 10, 4],
      ],
      metadata: {},
      overrides: { scoreActivation: 'softmax' },
    });
    expect([r.layout.family, r.layout.outputNames, r.layout.numClasses]).toEqual([
      'detr-raw',
      ['pred_logits', 'pred_boxes'],
      3,
    ]);
  });
  it('PaddleDetection [N,6] + count with scale_factor: ImageNet mean/std, stretch', () => {
    const r = detectModelLayout({
      inputs: [...img(['?', 3, 320, 320]), { name: 'scale_factor', type: 'float32', shape: [1, 2] }],
      outputs: [
        { name: 'multiclass_nms3_0.tmp_0', type: 'float32', shape: [2125, 6] },
        { name: 'multiclass_nms3_0.tmp_2', type: 'int32', shape: [1] },
      ],
      outputDims: [[100, 6], [1]],
      metadata: {},
    });
    expect([r.layout.family, r.layout.outputNames, r.layout.extraInputs[0]!.role]).toEqual([
      'paddle-nms',
      ['multiclass_nms3_0.tmp_0'],
      'scaleFactorHw',
    ]);
    expect(r.layout.preprocess).toMatchObject({
      resize: 'stretch',
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
    });
  });
  it('OBB and pose from task metadata', () => {
    const obb = detectModelLayout({
      inputs: img([1, 3, 64, 64]),
      outputs: out([1, 7, 84]),
      outputDims: [[1, 7, 84]],
      metadata: { task: 'obb', names: "{0: 'plane', 1: 'ship'}" },
    });
    expect([obb.layout.family, obb.layout.task, obb.layout.numClasses]).toEqual(['yolov8-obb', 'obb', 2]);
    const pose = detectModelLayout({
      inputs: img([1, 3, 64, 64]),
      outputs: out([1, 56, 84]),
      outputDims: [[1, 56, 84]],
      metadata: { task: 'pose', kpt_shape: '[17, 3]', names: "{0: 'person'}" },
    });
    expect([pose.layout.family, pose.layout.task, pose.layout.keypointShape]).toEqual([
      'yolov8-pose',
      'pose',
      [17, 3],
    ]);
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

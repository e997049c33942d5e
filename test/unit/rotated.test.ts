import { describe, expect, it } from 'vitest';
import { rankRecords } from '../../src/main/core/plc/encode';
import { decodeYolov8Obb } from '../../src/main/core/decoders/yolov8-obb';
import { decodeYolov8Pose } from '../../src/main/core/decoders/yolov8-pose';
import { DEFAULT_DECODE_PARAMS } from '../../src/main/core/decoders/types';
import { computeLetterbox, computeStretch } from '../../src/main/core/geometry';
import { ULTRALYTICS_PREPROCESS, type ModelLayout } from '../../src/main/core/model-layout';
import { nmsRotatedClasswise, rotatedCorners, rotatedIou } from '../../src/main/core/rotated-nms';
import type { Detection } from '../../src/shared/detection';

const deg = (d: number): number => (d * Math.PI) / 180;

describe('rotated IoU (exact polygon intersection)', () => {
  it('axis-aligned boxes agree with the plain IoU', () => {
    // 10x10 at 0..10 and 5..15 in x: intersection 50, union 150.
    expect(
      rotatedIou({ cx: 5, cy: 5, w: 10, h: 10, angleRad: 0 }, { cx: 10, cy: 5, w: 10, h: 10, angleRad: 0 }),
    ).toBeCloseTo(1 / 3, 12);
  });
  it('a square and itself turned 45° overlap by the regular octagon', () => {
    // Octagon inside a unit-side square turned 45°: area 2(√2 − 1) for side 1 → IoU = a / (2 − a).
    const a = 2 * (Math.SQRT2 - 1);
    expect(
      rotatedIou({ cx: 0, cy: 0, w: 1, h: 1, angleRad: 0 }, { cx: 0, cy: 0, w: 1, h: 1, angleRad: deg(45) }),
    ).toBeCloseTo(a / (2 - a), 12);
  });
  it('thin crossing boxes barely overlap although their axis-aligned bounds coincide', () => {
    const a = { cx: 0, cy: 0, w: 40, h: 4, angleRad: deg(45) };
    const b = { cx: 0, cy: 0, w: 40, h: 4, angleRad: deg(-45) };
    // Crossing at right angles: the overlap is a 4x4 square.
    expect(rotatedIou(a, b)).toBeCloseTo(16 / (160 + 160 - 16), 12);
    const kept = nmsRotatedClasswise(
      [
        { box: a, score: 0.9, classId: 0, anchorIndex: 0 },
        { box: b, score: 0.8, classId: 0, anchorIndex: 1 },
        { box: { ...a, cx: 1 }, score: 0.7, classId: 0, anchorIndex: 2 },
      ],
      0.45,
    );
    expect(kept.map((k) => k.anchorIndex)).toEqual([0, 1]);
  });
  it('corners run clockwise on screen from the (−w/2, −h/2) corner', () => {
    const c = rotatedCorners({ cx: 10, cy: 20, w: 4, h: 2, angleRad: deg(90) });
    expect(c.map(([x, y]) => [Math.round(x * 1e9) / 1e9, Math.round(y * 1e9) / 1e9])).toEqual([
      [11, 18],
      [11, 22],
      [9, 22],
      [9, 18],
    ]);
  });
});

function layout(family: 'yolov8-obb' | 'yolov8-pose', numClasses: number): ModelLayout {
  return {
    family,
    task: family === 'yolov8-obb' ? 'obb' : 'pose',
    inputName: 'images',
    inputType: 'float32',
    inputLayout: 'nchw',
    inputWidthPx: 64,
    inputHeightPx: 64,
    extraInputs: [],
    numClasses,
    outputNames: ['output0'],
    preprocess: ULTRALYTICS_PREPROCESS,
    scoreActivation: 'sigmoid',
    ...(family === 'yolov8-pose' ? { keypointShape: [2, 3] as [number, 3] } : {}),
  };
}

/** Column-major [1, rows, n] from per-anchor columns. */
function columns(cols: number[][]): { dims: number[]; data: Float32Array } {
  const rows = cols[0]!.length;
  const n = cols.length;
  const data = new Float32Array(rows * n);
  cols.forEach((c, a) => c.forEach((v, r) => (data[r * n + a] = v)));
  return { dims: [1, rows, n], data };
}

describe('YOLOv8-OBB decode', () => {
  // The angle row is float32, so angles and corners agree to about 1e-6.
  it('centre, size, angle and corners in photo pixels; angle reaches the PLC record', () => {
    const out = columns([
      [32, 32, 30, 10, 0.9, 0.1, deg(30)],
      [32, 32, 30, 10, 0.2, 0.1, deg(30)],
    ]);
    const lb = computeLetterbox(128, 64, 64, 64); // scale 0.5, 16 rows of padding on top
    const [d, ...rest] = decodeYolov8Obb(
      [out],
      { layout: layout('yolov8-obb', 2), letterbox: lb, classNames: ['a', 'b'] },
      DEFAULT_DECODE_PARAMS,
    );
    expect(rest).toEqual([]);
    expect(d!.obb!.centreXy).toEqual([64, 32]);
    expect(d!.obb!.widthPx).toBeCloseTo(60, 5);
    expect(d!.obb!.heightPx).toBeCloseTo(20, 5);
    expect(d!.obb!.angleDeg).toBeCloseTo(30, 5);
    const c = Math.cos(deg(30));
    const s = Math.sin(deg(30));
    expect(d!.obb!.corners[1][0]).toBeCloseTo(64 + 30 * c + 10 * s, 5);
    expect(d!.obb!.corners[1][1]).toBeCloseTo(32 + 30 * s - 10 * c, 5);
    const halfW = 30 * c + 10 * s;
    const halfH = 30 * s + 10 * c;
    d!.box.forEach((v, i) => expect(v).toBeCloseTo([64 - halfW, 32 - halfH, 64 + halfW, 32 + halfH][i]!, 5));
    const { records } = rankRecords([d as Detection], { maxObjects: 4 });
    expect(records[0]!.angleDeg).toBeCloseTo(30, 5);
  });
  it('angles map to (−90, 90]: 120° is −60° with the same rectangle', () => {
    const out = columns([[32, 32, 30, 10, 0.9, deg(120)]]);
    const [d] = decodeYolov8Obb(
      [out],
      { layout: layout('yolov8-obb', 1), letterbox: computeStretch(64, 64, 64, 64), classNames: ['a'] },
      DEFAULT_DECODE_PARAMS,
    );
    expect(d!.obb!.angleDeg).toBeCloseTo(-60, 5);
    expect(d!.obb!.widthPx).toBeCloseTo(30, 5);
  });
});

describe('YOLOv8-pose decode', () => {
  it('keypoints with visibility, un-letterboxed', () => {
    const out = columns([
      [32, 32, 20, 40, 0.9, 30, 20, 0.95, 34, 44, 0.1],
      [10, 10, 4, 4, 0.1, 0, 0, 0, 0, 0, 0],
    ]);
    const [d, ...rest] = decodeYolov8Pose(
      [out],
      {
        layout: layout('yolov8-pose', 1),
        letterbox: computeLetterbox(128, 128, 64, 64),
        classNames: ['person'],
      },
      DEFAULT_DECODE_PARAMS,
    );
    expect(rest).toEqual([]);
    expect(d!.box).toEqual([44, 24, 84, 104]);
    expect(d!.keypoints!.map((k) => [k.x, k.y, Math.round(k.visibility! * 1e6) / 1e6])).toEqual([
      [60, 40, 0.95],
      [68, 88, 0.1],
    ]);
  });
});

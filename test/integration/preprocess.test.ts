import { describe, expect, it } from 'vitest';
import {
  PADDLE_PREPROCESS,
  ULTRALYTICS_PREPROCESS,
  type ModelLayout,
  type Preprocess,
} from '../../src/main/core/model-layout';
import { prepareInput } from '../../src/main/inference/preprocess';

function layout(preprocess: Preprocess, inputLayout: 'nchw' | 'nhwc', w: number, h: number): ModelLayout {
  return {
    family: 'semantic',
    task: 'semantic',
    inputName: 'x',
    inputType: 'float32',
    inputLayout,
    inputWidthPx: w,
    inputHeightPx: h,
    extraInputs: [],
    numClasses: 2,
    outputNames: [],
    preprocess,
    scoreActivation: 'sigmoid',
  };
}

// 2×1 photo: pixel 0 = (255, 0, 51), pixel 1 = (0, 102, 255).
const img = { rgb: Uint8Array.from([255, 0, 51, 0, 102, 255]), widthPx: 2, heightPx: 1 };

describe('prepareInput', () => {
  it('NHWC, BGR, mean/std per channel in R G B order', async () => {
    const pre: Preprocess = { ...PADDLE_PREPROCESS, channelOrder: 'bgr', mean: [5, 2, 1], std: [10, 2, 1] };
    const { chw, letterbox } = await prepareInput(img, layout(pre, 'nhwc', 2, 1));
    expect(Array.from(chw)).toEqual([
      51 - 1,
      (0 - 2) / 2,
      (255 - 5) / 10,
      255 - 1,
      (102 - 2) / 2,
      (0 - 5) / 10,
    ]);
    expect([letterbox.scale, letterbox.scaleY]).toEqual([1, 1]);
  });
  it('NCHW letterbox pads with the normalised pad value, -1..1 scaling', async () => {
    const pre: Preprocess = {
      ...ULTRALYTICS_PREPROCESS,
      mean: [127.5, 127.5, 127.5],
      std: [127.5, 127.5, 127.5],
    };
    // 2×1 into 2×3: one pad row above and below.
    const { chw } = await prepareInput(img, layout(pre, 'nchw', 2, 3));
    const p = (114 - 127.5) / 127.5;
    const v = (x: number) => (x - 127.5) / 127.5;
    expect(Array.from(chw)).toEqual(
      [
        [p, p, v(255), v(0), p, p],
        [p, p, v(0), v(102), p, p],
        [p, p, v(51), v(255), p, p],
      ]
        .flat()
        .map((x) => Math.fround(x)),
    );
  });
  it('stretch to a different aspect gives separate horizontal and vertical scales', async () => {
    const { letterbox } = await prepareInput(img, layout({ ...PADDLE_PREPROCESS }, 'nchw', 4, 4));
    expect([letterbox.scale, letterbox.scaleY, letterbox.padLeftPx, letterbox.padTopPx]).toEqual([
      2, 4, 0, 0,
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  modelFrameFormatOf,
  modelFrameLetterbox,
  unletterboxDetections,
  type ModelFrameFormat,
} from '../../src/main/core/model-frame';
import type { ModelLayout } from '../../src/main/core/model-layout';
import type { Detection } from '../../src/shared/detection';

const YOLO: ModelFrameFormat = {
  widthPx: 320,
  heightPx: 320,
  resize: 'letterbox',
  padCentred: true,
  padValue: 114,
};

describe('modelFrameLetterbox', () => {
  it('places 1280x720 into 320x320 as Ultralytics does: 320x180, 70 rows of pad on top', () => {
    expect(modelFrameLetterbox(1280, 720, YOLO)).toEqual({
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
  });

  it('uses the scale the rounded resize really applied, per axis', () => {
    // 1000x333 → 320x107 (106.56 rounded): vertically 107/333, not 0.32.
    const lb = modelFrameLetterbox(1000, 333, YOLO);
    expect([lb.resizedWidthPx, lb.resizedHeightPx, lb.padTopPx]).toEqual([320, 107, 106]);
    expect(lb.scale).toBe(0.32);
    expect(lb.scaleY).toBe(107 / 333);
  });

  it('puts the picture top-left for YOLOX and fills the input for stretch models', () => {
    expect(modelFrameLetterbox(1280, 720, { ...YOLO, padCentred: false }).padTopPx).toBe(0);
    const st = modelFrameLetterbox(1280, 720, { ...YOLO, resize: 'stretch' });
    expect([st.scale, st.scaleY, st.padLeftPx, st.padTopPx]).toEqual([0.25, 320 / 720, 0, 0]);
  });
});

describe('unletterboxDetections', () => {
  const lb = modelFrameLetterbox(1280, 720, YOLO);
  const det = (over: Partial<Detection> = {}): Detection => ({
    classId: 0,
    className: 'a',
    score: 0.9,
    box: [10, 80, 110, 170],
    ...over,
  });

  it('takes the pad off and undoes the resize: model pixels → camera pixels', () => {
    expect(unletterboxDetections([det()], lb)[0]!.box).toEqual([40, 40, 440, 400]);
  });

  it('clips boxes to the camera picture as the decoders do', () => {
    // A box reaching into the pad above and below the picture.
    expect(unletterboxDetections([det({ box: [300, 60, 330, 260] })], lb)[0]!.box).toEqual([
      1200, 0, 1280, 720,
    ]);
  });

  it('maps masks, oriented boxes and keypoints with the same numbers', () => {
    const [d] = unletterboxDetections(
      [
        det({
          mask: { areaPx: 100, polygon: [[10, 80]], angleDeg: 30, centroid: [20, 90], originXy: [10, 80] },
          obb: {
            centreXy: [60, 125],
            widthPx: 100,
            heightPx: 90,
            angleDeg: 0,
            corners: [
              [10, 80],
              [110, 80],
              [110, 170],
              [10, 170],
            ],
          },
          keypoints: [{ x: 50, y: 100, visibility: 0.8 }],
        }),
      ],
      lb,
    );
    expect(d!.mask).toEqual({ areaPx: 1600, polygon: [[40, 40]], angleDeg: 30, centroid: [80, 80] });
    expect(d!.obb).toEqual({
      centreXy: [240, 220],
      widthPx: 400,
      heightPx: 360,
      angleDeg: 0,
      corners: [
        [40, 40],
        [440, 40],
        [440, 400],
        [40, 400],
      ],
    });
    expect(d!.keypoints).toEqual([{ x: 200, y: 120, visibility: 0.8 }]);
  });
});

describe('modelFrameFormatOf', () => {
  const layout = (family: ModelLayout['family'], padValue: number): ModelLayout =>
    ({
      family,
      inputWidthPx: 416,
      inputHeightPx: 416,
      preprocess: {
        resize: 'letterbox',
        channelOrder: 'bgr',
        mean: [0, 0, 0],
        std: [1, 1, 1],
        padCentred: false,
        padValue,
      },
    }) as unknown as ModelLayout;

  it('asks for the input size and the pad of the model, and for no frame for semantic models', () => {
    expect(modelFrameFormatOf(layout('yolox', 114))).toEqual({
      widthPx: 416,
      heightPx: 416,
      resize: 'letterbox',
      padCentred: false,
      padValue: 114,
    });
    expect(modelFrameFormatOf(layout('semantic', 0))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_PREVIEW_EVERY, previewEveryFor, sourceOptionsFor } from '../../src/main/app/runtime';
import { parseSourceUri } from '../../src/main/capture/source-uri';
import type { ModelFrameFormat } from '../../src/main/core/model-frame';

const every = (uri: string, everyFrame = false, perS?: number): number =>
  previewEveryFor(parseSourceUri(uri), everyFrame, perS);

describe('previewEveryFor: which frames the decoder makes a preview picture of', () => {
  it('as many as give the live view 10 a second at the camera rate the URI states', () => {
    expect(every('v4l2:/dev/video0?fps=30')).toBe(3);
    expect(every('v4l2:/dev/video0?fps=15')).toBe(1);
    expect(every('file:/c.mp4?fps=60')).toBe(6);
    expect(every('file:/c.mp4?fps=5')).toBe(1);
  });

  it('takes a stream that states no rate (a network camera, a file at its own pace) as 25 fps', () => {
    expect(every('rtsp://cam/stream')).toBe(2);
    expect(every('file:/c.mp4')).toBe(2);
  });

  it('every 24th frame of a file read as fast as inference goes (its live view yields to inference)', () => {
    expect(every('file:/c.mp4?fps=max')).toBe(24);
    expect(every('file:/c.mp4?fps=max', false, 30)).toBe(24);
  });

  it('every 4th frame of a file at fps=max for a live view that keeps its rate (10 a second)', () => {
    const steady = (perS: number): number =>
      previewEveryFor(parseSourceUri('file:/c.mp4?fps=max'), false, perS, false);
    expect(steady(10)).toBe(4);
    expect(steady(5)).toBe(8);
    expect(steady(30)).toBe(1);
    expect(steady(1)).toBe(24);
  });

  it('follows the live view rate, and every frame with no cap or while a recording keeps them all', () => {
    expect(every('v4l2:/dev/video0?fps=30', false, 5)).toBe(6);
    expect(every('v4l2:/dev/video0?fps=30', false, 0)).toBe(1);
    expect(every('file:/c.mp4?fps=max', false, 0)).toBe(1);
    expect(every('v4l2:/dev/video0?fps=30', true)).toBe(1);
    expect(every('file:/c.mp4?fps=max', true)).toBe(1);
  });

  it('makes a picture at least every 24th frame, so a slow live view of a fast stream still pairs them', () => {
    expect(MAX_PREVIEW_EVERY).toBe(24);
    expect(every('v4l2:/dev/video0?fps=30', false, 2)).toBe(15);
    expect(every('v4l2:/dev/video0?fps=60', false, 2)).toBe(24);
    expect(every('v4l2:/dev/video0?fps=30', false, 1)).toBe(24);
  });

  it('is asked of ffmpeg only where ffmpeg makes a model frame and a preview', () => {
    const format: ModelFrameFormat = {
      widthPx: 320,
      heightPx: 320,
      resize: 'letterbox',
      padCentred: true,
      padValue: 114,
    };
    const file = parseSourceUri('file:/c.mp4?fps=max');
    expect(sourceOptionsFor(file, null, 1280, format, 2, 24).previewEvery).toBe(24);
    expect(sourceOptionsFor(file, null, 1280, format, 2, 1).previewEvery).toBeUndefined();
    expect(sourceOptionsFor(file, null, null, format, 2, 4).previewEvery).toBeUndefined();
    const synthetic = parseSourceUri('synthetic:?fps=30');
    expect(sourceOptionsFor(synthetic, null, 1280, format, 2, 4).previewEvery).toBeUndefined();
  });
});

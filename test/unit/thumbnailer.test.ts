import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/main/capture/types';
import { Thumbnailer } from '../../src/main/station/extra-cameras';
import type { FrameResult } from '../../src/shared/frame';

/** A 64×64 model frame holding a 64×36 camera picture (white) between grey pads of 14 rows. */
function letterboxedFrame() {
  let held = 0;
  const rgb = new Uint8Array(64 * 64 * 3).fill(114);
  rgb.fill(255, 14 * 64 * 3, 50 * 64 * 3);
  const frame = {
    frameId: 7,
    captureTimeMs: 0,
    widthPx: 64,
    heightPx: 64,
    rgb,
    letterbox: {
      srcWidthPx: 1280,
      srcHeightPx: 720,
      dstWidthPx: 64,
      dstHeightPx: 64,
      scale: 20,
      resizedWidthPx: 64,
      resizedHeightPx: 36,
      padLeftPx: 0,
      padTopPx: 14,
    },
    retain: () => void held++,
    release: () => void held--,
  } as unknown as Frame;
  return { frame, held: () => held };
}

const result: FrameResult = {
  frameId: 7,
  captureTimeMs: 0,
  resultTimeMs: 0,
  widthPx: 1280,
  heightPx: 720,
  detections: [{ classId: 0, className: 'person', score: 0.9, box: [100, 200, 300, 400] }],
  modelName: 'm',
  provider: 'cpu',
  timings: { preMs: 0, inferMs: 0, postMs: 0 },
};

describe('Thumbnailer', () => {
  it('shows the camera picture without the model padding, sized for boxes in camera pixels', async () => {
    const errors: Error[] = [];
    const thumbs = new Thumbnailer(
      'main',
      () => 0,
      (e) => errors.push(e),
    );
    const { frame, held } = letterboxedFrame();
    thumbs.offer(result, frame);
    // Not retained (an fps=max decoder would wait for it): the source may overwrite it at once.
    expect(held()).toBe(0);
    frame.rgb.fill(0);
    thumbs.offer(result, frame); // within the rate cap and busy: ignored
    const deadline = Date.now() + 10_000;
    while (thumbs.latest === null && errors.length === 0) {
      if (Date.now() > deadline) throw new Error('no thumbnail within 10 s');
      await new Promise((r) => setImmediate(r));
    }
    expect(errors).toEqual([]);
    const p = thumbs.latest!;
    expect([p.frameId, p.widthPx, p.heightPx]).toEqual([7, 1280, 720]);
    expect(p.objects).toEqual([{ classId: 0, className: 'person', score: 0.9, box: [100, 200, 300, 400] }]);
    const jpeg = Buffer.from(p.jpegDataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
    const { width, height } = await sharp(jpeg).metadata();
    expect([width, height]).toEqual([64, 36]);
    const { channels } = await sharp(jpeg).stats();
    // All white: no grey pad rows, and the picture as it was when offered.
    expect(channels.map((c) => c.min)).toEqual([255, 255, 255]);
  });
});

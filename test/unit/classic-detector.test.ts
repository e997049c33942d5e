import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/shared/detection';
import { iouXyxy } from '../../src/main/core/geometry';
import {
  ClassicDetector,
  classicDetectorOptionsSchema,
  parseClassicDetectorOptions,
} from '../../src/main/core/classic';
import {
  renderSyntheticFrame,
  SYNTHETIC_LEAD_IN_FRAMES,
  type SyntheticPart,
} from '../../src/main/core/synthetic-scene';

const W = 1280;
const H = 720;

/** A flat-colour frame with axis-aligned rectangles painted on it. */
function paint(
  widthPx: number,
  heightPx: number,
  backgroundRgb: [number, number, number],
  rects: { ltrb: [number, number, number, number]; rgb: [number, number, number] }[] = [],
): Uint8Array {
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  for (let i = 0; i < widthPx * heightPx; i++) rgb.set(backgroundRgb, i * 3);
  for (const { ltrb, rgb: colour } of rects) {
    for (let y = ltrb[1]; y < ltrb[3]; y++)
      for (let x = ltrb[0]; x < ltrb[2]; x++) rgb.set(colour, (y * widthPx + x) * 3);
  }
  return rgb;
}

function centroidDistancePx(d: Detection, p: SyntheticPart): number {
  return Math.hypot(d.mask!.centroid[0] - p.centreXy[0], d.mask!.centroid[1] - p.centreXy[1]);
}

describe('classic detector options', () => {
  it('fills defaults and describes every field', () => {
    const o = parseClassicDetectorOptions({});
    expect(o).toMatchObject({
      learnFrames: 15,
      diffThreshold: 60,
      openKernelPx: 3,
      closeKernelPx: 5,
      minAreaPx: 300,
      maxProcessingWidthPx: 320,
      className: 'object',
      classId: 0,
    });
    for (const [key, field] of Object.entries(classicDetectorOptionsSchema.shape)) {
      expect(field.description, key).toBeTruthy();
    }
  });

  it('refuses out-of-range, even kernels, inverted area bounds and unknown keys, naming the field', () => {
    expect(() => parseClassicDetectorOptions({ learnFrames: 0 })).toThrow(/learnFrames/);
    expect(() => parseClassicDetectorOptions({ diffThreshold: 766 })).toThrow(/diffThreshold/);
    expect(() => parseClassicDetectorOptions({ openKernelPx: 4 })).toThrow(/openKernelPx: must be odd/);
    expect(() => parseClassicDetectorOptions({ minAreaPx: 500, maxAreaPx: 400 })).toThrow(
      /minAreaPx must not exceed maxAreaPx/,
    );
    expect(() => parseClassicDetectorOptions({ learnFrame: 3 })).toThrow(/unrecognized key/i);
    expect(() => new ClassicDetector({ maxProcessingWidthPx: 8 })).toThrow(RangeError);
  });
});

describe('ClassicDetector on hand-made frames (no downscale: exact answers)', () => {
  const w = 64;
  const h = 48;
  const grey: [number, number, number] = [100, 100, 100];
  const exact = { maxProcessingWidthPx: 64, minAreaPx: 1, learnFrames: 1 } as const;

  it('finds a block with the exact box, area, centroid and score, in full-frame pixels', () => {
    const det = new ClassicDetector(exact);
    expect(det.detect(paint(w, h, grey), w, h)).toEqual([]);
    const found = det.detect(paint(w, h, grey, [{ ltrb: [10, 20, 26, 28], rgb: [200, 40, 40] }]), w, h);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ classId: 0, className: 'object', score: 1, box: [10, 20, 26, 28] });
    expect(found[0].mask).toMatchObject({ areaPx: 128, centroid: [18, 24], angleDeg: 0 });
    expect(found[0].mask!.rle).toEqual({ width: 16, height: 8, counts: [0, 128] });
  });

  it('sees colour, not grey: a part with the background luma is still found', () => {
    const det = new ClassicDetector(exact);
    det.setReferenceFrame(paint(w, h, [100, 100, 100]), w, h);
    // Luma 0.299·60 + 0.587·100 + 0.114·205 ≈ 101: a grey-level detector would miss it.
    const found = det.detect(
      paint(w, h, [100, 100, 100], [{ ltrb: [30, 5, 40, 15], rgb: [60, 100, 205] }]),
      w,
      h,
    );
    expect(found.map((d) => d.box)).toEqual([[30, 5, 40, 15]]);
  });

  it('keeps objects within [minAreaPx, maxAreaPx], largest first', () => {
    const frame = paint(w, h, grey, [
      { ltrb: [2, 30, 6, 34], rgb: [0, 0, 0] }, // 16 px
      { ltrb: [10, 2, 20, 12], rgb: [0, 0, 0] }, // 100 px
      { ltrb: [30, 2, 60, 42], rgb: [0, 0, 0] }, // 1200 px
    ]);
    const areas = (options: object) => {
      const det = new ClassicDetector({ ...exact, ...options });
      det.setReferenceFrame(paint(w, h, grey), w, h);
      return det.detect(frame, w, h).map((d) => d.mask!.areaPx);
    };
    expect(areas({})).toEqual([1200, 100, 16]);
    expect(areas({ minAreaPx: 17 })).toEqual([1200, 100]);
    expect(areas({ minAreaPx: 100, maxAreaPx: 1199 })).toEqual([100]);
    expect(areas({ maxDetections: 1 })).toEqual([1200]);
  });

  it('removes specks and thin streaks by opening, and joins fragments by closing', () => {
    const frame = paint(w, h, grey, [
      { ltrb: [5, 5, 6, 6], rgb: [255, 255, 255] }, // one-pixel speck
      { ltrb: [0, 40, 64, 41], rgb: [255, 255, 255] }, // one-pixel streak across the frame
      { ltrb: [20, 10, 30, 30], rgb: [0, 0, 0] }, // two halves with a 1 px gap between them
      { ltrb: [31, 10, 41, 30], rgb: [0, 0, 0] },
    ]);
    const run = (options: object) => {
      const det = new ClassicDetector({ ...exact, ...options });
      det.setReferenceFrame(paint(w, h, grey), w, h);
      return det.detect(frame, w, h).map((d) => d.box);
    };
    expect(run({ openKernelPx: 1, closeKernelPx: 1 })).toEqual([
      [20, 10, 30, 30],
      [31, 10, 41, 30],
      [0, 40, 64, 41],
      [5, 5, 6, 6],
    ]);
    expect(run({ openKernelPx: 3, closeKernelPx: 3 })).toEqual([[20, 10, 41, 30]]);
  });

  it('joins diagonal neighbours (8-connectivity)', () => {
    const det = new ClassicDetector({ ...exact, openKernelPx: 1, closeKernelPx: 1 });
    det.setReferenceFrame(paint(w, h, grey), w, h);
    const found = det.detect(
      paint(w, h, grey, [
        { ltrb: [10, 10, 14, 14], rgb: [0, 0, 0] },
        { ltrb: [14, 14, 18, 18], rgb: [0, 0, 0] },
      ]),
      w,
      h,
    );
    expect(found.map((d) => d.box)).toEqual([[10, 10, 18, 18]]);
  });

  it('learns a median background: a part passing during learning leaves no ghost', () => {
    const det = new ClassicDetector({ ...exact, learnFrames: 5 });
    // The block sits on a different place in each learning frame; every pixel is empty in ≥ 4 of 5.
    for (let k = 0; k < 5; k++) {
      expect(
        det.detect(paint(w, h, grey, [{ ltrb: [k * 12, 0, k * 12 + 10, 10], rgb: [250, 250, 0] }]), w, h),
      ).toEqual([]);
      expect(det.state.learning).toBe(k < 4);
    }
    expect(det.detect(paint(w, h, grey), w, h)).toEqual([]);
  });

  it('relearns after reset() and when the frame size changes', () => {
    const det = new ClassicDetector({ ...exact, learnFrames: 2 });
    const empty = paint(w, h, grey);
    const withPart = paint(w, h, grey, [{ ltrb: [10, 10, 30, 30], rgb: [0, 0, 0] }]);
    det.detect(empty, w, h);
    det.detect(empty, w, h);
    expect(det.detect(withPart, w, h)).toHaveLength(1);
    det.reset();
    expect(det.state).toMatchObject({ learning: true, learnedFrames: 0 });
    expect(det.detect(withPart, w, h)).toEqual([]);
    det.detect(empty, w, h);
    expect(det.detect(empty, 32, 48)).toEqual([]);
    expect(det.state).toMatchObject({ learning: true, learnedFrames: 1, frameWidthPx: 32 });
  });

  it('refuses a frame whose buffer is too short for its size', () => {
    const det = new ClassicDetector(exact);
    expect(() => det.detect(new Uint8Array(10), w, h)).toThrow(/needs 9216/);
    expect(() => det.detect(new Uint8Array(10), 0, h)).toThrow(RangeError);
  });
});

describe('ClassicDetector on the synthetic conveyor scene (1280×720)', () => {
  /** Learned from the empty lead-in, so no frame of the scene is needed twice. */
  function learnedDetector(): ClassicDetector {
    const det = new ClassicDetector();
    const out = new Uint8Array(W * H * 3);
    for (let f = 0; f < det.options.learnFrames; f++) {
      expect(det.detect(renderSyntheticFrame(f, W, H, out).rgb, W, H)).toEqual([]);
    }
    expect(det.options.learnFrames).toBeLessThanOrEqual(SYNTHETIC_LEAD_IN_FRAMES);
    expect(det.state).toMatchObject({
      learning: false,
      processingWidthPx: 320,
      processingHeightPx: 180,
      downscaleFactor: 4,
    });
    return det;
  }

  it('finds every part with the right count, centre within 3 px, box within 2 blocks, area within 10 %', () => {
    const det = learnedDetector();
    const minAreaPx = det.options.minAreaPx;
    let fullyInFrameChecked = 0;
    let framesChecked = 0;
    for (let frameIndex = 80; frameIndex < 1100; frameIndex += 37) {
      const { rgb, parts } = renderSyntheticFrame(frameIndex, W, H);
      // A part only just entering or leaving is near the area limit, where downscaling decides
      // whether it counts: such frames prove nothing about the count, so they are skipped.
      if (!parts.every((p) => p.areaPx >= 2 * minAreaPx || p.areaPx < minAreaPx / 4)) continue;
      framesChecked++;
      const expected = parts.filter((p) => p.areaPx >= 2 * minAreaPx);
      const found = det.detect(rgb, W, H);
      expect(found.length, `count at frame ${frameIndex}`).toBe(expected.length);
      for (const p of expected) {
        const matches = found.filter((d) => iouXyxy(d.box, p.boxXyxy) > 0.7);
        expect(matches, `part ${p.id} at frame ${frameIndex}`).toHaveLength(1);
        if (!p.fullyInFrame) continue;
        const d = matches[0];
        expect(
          centroidDistancePx(d, p),
          `part ${p.id} (${p.shape}) at frame ${frameIndex}`,
        ).toBeLessThanOrEqual(3);
        for (let k = 0; k < 4; k++) expect(Math.abs(d.box[k] - p.boxXyxy[k])).toBeLessThanOrEqual(8);
        expect(Math.abs(d.mask!.areaPx / p.areaPx - 1)).toBeLessThan(0.1);
        expect(d.score).toBeGreaterThan(0.9);
        if (p.shape === 'rect') expect(Math.abs(d.mask!.angleDeg - p.angleDeg)).toBeLessThan(1);
        fullyInFrameChecked++;
      }
    }
    expect(framesChecked).toBeGreaterThanOrEqual(20);
    expect(fullyInFrameChecked).toBeGreaterThanOrEqual(60);
  });

  it('works from a reference frame, without a learning phase', () => {
    const det = new ClassicDetector();
    det.setReferenceFrame(renderSyntheticFrame(3, W, H).rgb, W, H);
    const { rgb, parts } = renderSyntheticFrame(555, W, H);
    const found = det.detect(rgb, W, H);
    expect(found).toHaveLength(parts.length);
    for (const p of parts.filter((q) => q.fullyInFrame)) {
      expect(Math.min(...found.map((d) => centroidDistancePx(d, p)))).toBeLessThanOrEqual(3);
    }
  });

  it('finds nothing on the empty belt after learning', () => {
    const det = learnedDetector();
    expect(det.detect(renderSyntheticFrame(SYNTHETIC_LEAD_IN_FRAMES - 1, W, H).rgb, W, H)).toEqual([]);
  });
});

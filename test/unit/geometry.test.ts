import { describe, expect, it } from 'vitest';
import {
  computeLetterbox,
  iouXyxy,
  letterboxBoxXyxy,
  unletterboxBoxXyxy,
  xywh2xyxy,
  xyxy2xywh,
  ltwh2xyxy,
  clipBoxXyxy,
} from '../../src/main/core/geometry';
import type { BoxXyxy } from '../../src/shared/detection';

describe('box conventions', () => {
  it('xywh2xyxy and back', () => {
    expect(xywh2xyxy(50, 40, 20, 10)).toEqual([40, 35, 60, 45]);
    expect(xyxy2xywh([40, 35, 60, 45])).toEqual([50, 40, 20, 10]);
    expect(ltwh2xyxy(40, 35, 20, 10)).toEqual([40, 35, 60, 45]);
  });
  it('clips to the image', () => {
    expect(clipBoxXyxy([-5, 3, 700, 500], 640, 480)).toEqual([0, 3, 640, 480]);
  });
});

describe('iouXyxy', () => {
  it('hand-computed overlaps', () => {
    // Intersection 5x10 = 50, union 100 + 100 - 50 = 150.
    expect(iouXyxy([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 12);
    expect(iouXyxy([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iouXyxy([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(iouXyxy([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });
});

describe('letterbox', () => {
  it('dog.jpg 768x576 into 640x640 (Ultralytics rounding)', () => {
    const lb = computeLetterbox(768, 576, 640, 640);
    // scale = min(640/768, 640/576) = 0.8333..; resized 640x480; pad (640-480)/2 = 80 → round(79.9) = 80.
    expect(lb.scale).toBeCloseTo(640 / 768, 12);
    expect([lb.resizedWidthPx, lb.resizedHeightPx, lb.padLeftPx, lb.padTopPx]).toEqual([640, 480, 0, 80]);
  });
  it('odd padding splits like Ultralytics: 773x512 into 320x320', () => {
    const lb = computeLetterbox(773, 512, 320, 320);
    // scale 320/773; height round(512*0.41397) = 212; pad 108/2 = 54.
    expect([lb.resizedWidthPx, lb.resizedHeightPx, lb.padLeftPx, lb.padTopPx]).toEqual([320, 212, 0, 54]);
    const lb2 = computeLetterbox(100, 67, 100, 100);
    // pad 33 → top round(16.4) = 16, bottom 17.
    expect(lb2.padTopPx).toBe(16);
  });
  it('top-left placement for YOLOX', () => {
    const lb = computeLetterbox(768, 576, 416, 416, false);
    expect([lb.padLeftPx, lb.padTopPx, lb.resizedWidthPx, lb.resizedHeightPx]).toEqual([0, 0, 416, 312]);
  });
  it('round-trips a box to within 0.5 px', () => {
    for (const [w, h, dw, dh, centred] of [
      [768, 576, 640, 640, true],
      [773, 512, 320, 320, true],
      [640, 424, 416, 416, false],
      [1280, 720, 320, 320, true],
    ] as const) {
      const lb = computeLetterbox(w, h, dw, dh, centred);
      const box: BoxXyxy = [13.25, 47.5, w - 31.75, h - 2];
      const back = unletterboxBoxXyxy(letterboxBoxXyxy(box, lb), lb);
      back.forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(0.5));
    }
  });
  it('maps model pixels back exactly', () => {
    const lb = computeLetterbox(768, 576, 640, 640);
    const back = unletterboxBoxXyxy([100, 180, 200, 280], lb);
    [120, 120, 240, 240].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 9));
  });
  it('rejects empty sizes', () => {
    expect(() => computeLetterbox(0, 10, 640, 640)).toThrow(/positive sizes/);
  });
});

import { describe, expect, it } from 'vitest';
import { PALETTE, classRgb, placeLabels } from '../../src/shared/overlay-layout';

describe('class palette', () => {
  it('has 24 distinct colours, indexed by class id and stable (id 24 reuses colour 0)', () => {
    expect(new Set(PALETTE.map((c) => c.join(','))).size).toBe(24);
    expect(classRgb(0)).toEqual([255, 56, 56]);
    expect(classRgb(1)).toEqual([72, 219, 251]);
    expect(classRgb(24)).toEqual(classRgb(0));
    expect(classRgb(-1)).toEqual(classRgb(23));
  });
});

describe('placeLabels', () => {
  it('puts a label above its box, inside it when above is off the picture, and drops one that collides everywhere', () => {
    const box = { xyxy: [100, 100, 200, 200] as const, w: 80, h: 20 };
    const spots = placeLabels(
      [
        box,
        // The same box again: above is taken, inside its top is free; then below; then nothing.
        box,
        box,
        box,
        // At the top edge: above would leave the picture.
        { xyxy: [400, 0, 500, 50], w: 60, h: 20 },
        // At the right edge: shifted left to stay in the picture.
        { xyxy: [620, 300, 640, 320], w: 60, h: 20 },
      ],
      640,
      480,
    );
    expect(spots).toEqual([
      { x: 100, y: 80, w: 80, h: 20 },
      { x: 100, y: 100, w: 80, h: 20 },
      { x: 100, y: 200, w: 80, h: 20 },
      null,
      { x: 400, y: 0, w: 60, h: 20 },
      { x: 580, y: 280, w: 60, h: 20 },
    ]);
  });
});

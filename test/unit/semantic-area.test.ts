import { describe, expect, it } from 'vitest';
import { classAreasMm2, homographyAreaScale, semanticAreasMm2 } from '../../src/main/core/semantic-area';
import type { Homography3x3 } from '../../src/main/core/calibration';
import type { SemanticSegmentation } from '../../src/shared/detection';

describe('homographyAreaScale', () => {
  it('is the product of the scales for an affine map, whatever the point', () => {
    const h: Homography3x3 = [0.5, 0, 10, 0, 0.25, -3, 0, 0, 1];
    expect(homographyAreaScale(h, 0, 0)).toBe(0.125);
    expect(homographyAreaScale(h, 100, 40)).toBe(0.125);
  });
  it('shrinks with w³ under perspective', () => {
    // w = 1 + 0.01 x: at x = 100, w = 2, so the scale is 1 / 8.
    const h: Homography3x3 = [1, 0, 0, 0, 1, 0, 0.01, 0, 1];
    expect(homographyAreaScale(h, 100, 7)).toBe(0.125);
  });
});

describe('classAreasMm2', () => {
  // 4×2 map: row 0 = 0 0 1 1, row 1 = 1 1 1 2.
  const rle = { width: 4, height: 2, values: [0, 1, 2], counts: [2, 5, 1] };
  it('counts each pixel at its scale; a half-size map stands for four photo pixels per cell', () => {
    const h: Homography3x3 = [2, 0, 0, 0, 3, 0, 0, 0, 1];
    expect([...classAreasMm2(rle, 4, 2, h)]).toEqual([
      [0, 12],
      [1, 30],
      [2, 6],
    ]);
    expect(classAreasMm2(rle, 8, 4, h).get(1)).toBe(120);
  });
  it('aligns per head with the class list (most pixels first)', () => {
    const seg: SemanticSegmentation = {
      width: 4,
      height: 2,
      heads: [
        {
          name: 'out',
          classNames: ['bg', 'a', 'b'],
          classes: [
            { classId: 1, className: 'a', pixels: 5, fraction: 0.625 },
            { classId: 0, className: 'bg', pixels: 2, fraction: 0.25 },
            { classId: 2, className: 'b', pixels: 1, fraction: 0.125 },
          ],
          rle,
        },
      ],
    };
    expect(semanticAreasMm2(seg, [1, 0, 0, 0, 1, 0, 0, 0, 1])).toEqual([[5, 2, 1]]);
  });
});

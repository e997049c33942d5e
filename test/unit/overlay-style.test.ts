import { describe, expect, it } from 'vitest';
import {
  classColour,
  classRgb,
  classMapRgba,
  COCO17_SKELETON,
  headingTick,
  legendEntries,
  skeletonSegments,
} from '../../src/shared/overlay-style';

describe('class map overlay', () => {
  it('paints each class in its colour at the opacity, hidden classes transparent', () => {
    const rgba = classMapRgba(
      { width: 3, height: 1, values: [0, 2], counts: [1, 2] },
      { opacity: 0.5, hiddenClassIds: [0] },
    );
    const [r, g, b] = classRgb(2);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 0, r, g, b, 128, r, g, b, 128]);
  });
  it('refuses runs that do not cover the map', () => {
    expect(() =>
      classMapRgba({ width: 2, height: 2, values: [1], counts: [3] }, { opacity: 1, hiddenClassIds: [] }),
    ).toThrow('class map runs cover 3 pixels, expected 4');
  });
  it('legend rows carry the overlay colour and the share', () => {
    expect(
      legendEntries({
        name: 'seg',
        classNames: ['bg', 'part'],
        classes: [{ classId: 1, className: 'part', pixels: 30, fraction: 0.3 }],
        rle: { width: 10, height: 10, values: [1], counts: [100] },
      }),
    ).toEqual([{ classId: 1, className: 'part', colour: classColour(1), pixels: 30, fraction: 0.3 }]);
    expect(
      legendEntries(
        {
          name: 'seg',
          classNames: ['bg', 'part'],
          classes: [{ classId: 0, className: 'bg', pixels: 70, fraction: 0.7 }],
          rle: { width: 10, height: 10, values: [0], counts: [100] },
        },
        [0],
      )[0]!.colour,
    ).toBe('transparent');
  });
});

describe('pose skeleton and rotated box helpers', () => {
  it('draws edges only between visible keypoints; no visibility counts as visible', () => {
    const kps = Array.from({ length: 17 }, (_, i) => ({ x: i, y: 2 * i, visibility: i === 1 ? 0.2 : 0.9 }));
    const segs = skeletonSegments(kps, COCO17_SKELETON, 0.5);
    // Edges touching keypoint 1: [1,2], [0,1], [1,3] of 19.
    expect(segs).toHaveLength(16);
    expect(segs).toContainEqual([
      [0, 0],
      [2, 4],
    ]);
    expect(
      skeletonSegments(
        [
          { x: 1, y: 1, visibility: null },
          { x: 3, y: 3, visibility: null },
        ],
        [
          [0, 1],
          [1, 5],
        ],
        0.5,
      ),
    ).toEqual([
      [
        [1, 1],
        [3, 3],
      ],
    ]);
  });
  it('heading tick runs from the centre to the middle of the side the width points at', () => {
    expect(
      headingTick([
        [0, 0],
        [4, 0],
        [4, 2],
        [0, 2],
      ]),
    ).toEqual([
      [2, 1],
      [4, 1],
    ]);
  });
});

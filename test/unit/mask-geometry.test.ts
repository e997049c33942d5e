import { describe, expect, it } from 'vitest';
import type { PointXy } from '../../src/shared/detection';
import {
  convexHull,
  decodeRle,
  encodeRle,
  maskInfoFromBinary,
  minAreaRect,
  normalizeAngleDeg,
  polygonAreaSigned,
  simplifyClosedPolygon,
} from '../../src/main/core/mask-geometry';

function blankMask(w: number, h: number): Uint8Array {
  return new Uint8Array(w * h);
}

function fillRect(mask: Uint8Array, w: number, x0: number, y0: number, rw: number, rh: number): void {
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) mask[y * w + x] = 1;
}

/** Sets every pixel whose centre lies inside a `lengthPx × widthPx` rectangle rotated by angleDeg (y down). */
function rotatedRectMask(
  w: number,
  h: number,
  cx: number,
  cy: number,
  lengthPx: number,
  widthPx: number,
  angleDeg: number,
): Uint8Array {
  const m = blankMask(w, h);
  const a = (angleDeg * Math.PI) / 180;
  const ux = Math.cos(a);
  const uy = Math.sin(a);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const s = dx * ux + dy * uy;
      const t = -dx * uy + dy * ux;
      if (Math.abs(s) <= lengthPx / 2 && Math.abs(t) <= widthPx / 2) m[y * w + x] = 1;
    }
  }
  return m;
}

describe('maskInfoFromBinary', () => {
  it('measures an axis-aligned 10×4 block exactly', () => {
    const w = 20;
    const m = blankMask(w, 10);
    fillRect(m, w, 3, 2, 10, 4);
    const info = maskInfoFromBinary(m, w, 10)!;
    expect(info.areaPx).toBe(40);
    expect(info.centroid).toEqual([8, 4]);
    expect(info.angleDeg).toBe(0);
    expect(info.polygon).toHaveLength(4);
    expect(new Set(info.polygon.map((p) => p.join(',')))).toEqual(new Set(['3,2', '13,2', '13,6', '3,6']));
    expect(info.rle).toEqual({ width: 10, height: 4, counts: [0, 40] });
    expect(info.originXy).toEqual([3, 2]);
  });

  it('reports a tall 4×10 block as 90° and shifts everything by originXy', () => {
    const w = 8;
    const m = blankMask(w, 12);
    fillRect(m, w, 1, 1, 4, 10);
    const info = maskInfoFromBinary(m, w, 12, [100, 200])!;
    expect(info.areaPx).toBe(40);
    expect(info.angleDeg).toBe(90);
    expect(info.centroid).toEqual([103, 206]);
    expect(new Set(info.polygon.map((p) => p.join(',')))).toEqual(
      new Set(['101,201', '105,201', '105,211', '101,211']),
    );
    expect(info.originXy).toEqual([101, 201]);
  });

  it.each([
    [30, 30],
    [-30, -30],
    [120, -60],
    [75, 75],
  ])('finds the orientation of a 40×12 rectangle drawn at %d° as %d° ± 1', (drawn, expected) => {
    const m = rotatedRectMask(100, 100, 50, 50, 40, 12, drawn);
    const info = maskInfoFromBinary(m, 100, 100)!;
    expect(Math.abs(info.angleDeg - expected)).toBeLessThanOrEqual(1);
    expect(info.centroid[0]).toBeCloseTo(50, 0);
    expect(info.centroid[1]).toBeCloseTo(50, 0);
    // Pixel-centre rasterisation of a 480 px² rectangle lands within a perimeter's worth of it.
    expect(Math.abs(info.areaPx - 480)).toBeLessThan(40);
    // The simplified polygon stays close to the true area and is much shorter than the staircase.
    expect(Math.abs(polygonAreaSigned(info.polygon) - info.areaPx)).toBeLessThan(40);
    expect(info.polygon.length).toBeLessThan(20);
  });

  it('returns null for an empty mask', () => {
    expect(maskInfoFromBinary(blankMask(5, 5), 5, 5)).toBeNull();
  });

  it('outlines only the largest component but counts every pixel in area and centroid', () => {
    const w = 12;
    const m = blankMask(w, 6);
    fillRect(m, w, 0, 0, 2, 2); // 4 px speck, first in raster order
    fillRect(m, w, 5, 1, 6, 4); // 24 px main body
    const info = maskInfoFromBinary(m, w, 6)!;
    expect(info.areaPx).toBe(28);
    expect(info.centroid[0]).toBeCloseTo((4 * 1 + 24 * 8) / 28, 12);
    expect(info.centroid[1]).toBeCloseTo((4 * 1 + 24 * 3) / 28, 12);
    expect(new Set(info.polygon.map((p) => p.join(',')))).toEqual(new Set(['5,1', '11,1', '11,5', '5,5']));
    expect(info.angleDeg).toBe(0);
    expect(info.rle!.width).toBe(11);
    expect(info.rle!.height).toBe(5);
  });

  it('joins diagonal neighbours (8-connectivity) and keeps an L shape exact', () => {
    const w = 4;
    const diag = blankMask(w, 4);
    diag[0] = 1;
    diag[1 * w + 1] = 1;
    const d = maskInfoFromBinary(diag, w, 4, [0, 0], { simplifyEpsilonPx: 0 })!;
    expect(polygonAreaSigned(d.polygon)).toBe(2);

    // L: column x=0 rows 0..3 plus row 3 x=1..2 → 6 px, six corners.
    const l = blankMask(w, 4);
    fillRect(l, w, 0, 0, 1, 4);
    fillRect(l, w, 1, 3, 2, 1);
    const li = maskInfoFromBinary(l, w, 4, [0, 0], { simplifyEpsilonPx: 0 })!;
    expect(li.areaPx).toBe(6);
    expect(polygonAreaSigned(li.polygon)).toBe(6);
    expect(new Set(li.polygon.map((p) => p.join(',')))).toEqual(
      new Set(['0,0', '1,0', '1,3', '3,3', '3,4', '0,4']),
    );
  });

  it('merges runs that only meet further down (a U) before choosing the largest component', () => {
    const w = 12;
    const m = blankMask(w, 8);
    fillRect(m, w, 0, 0, 2, 8); // left prong, 16 px
    fillRect(m, w, 6, 0, 2, 8); // right prong, 16 px
    fillRect(m, w, 2, 6, 4, 2); // bottom bar joining them, 8 px → U of 40 px
    fillRect(m, w, 9, 0, 3, 7); // separate 21 px block: bigger than a prong, smaller than the U
    const info = maskInfoFromBinary(m, w, 8, [0, 0], { simplifyEpsilonPx: 0 })!;
    expect(info.areaPx).toBe(61);
    expect(polygonAreaSigned(info.polygon)).toBe(40);
    expect(new Set(info.polygon.map((p) => p.join(',')))).toEqual(
      new Set(['0,0', '2,0', '2,6', '6,6', '6,0', '8,0', '8,8', '0,8']),
    );
  });

  it('does not outline holes: a ring has the area of its pixels but the polygon of its outside', () => {
    const w = 5;
    const m = blankMask(w, 5);
    fillRect(m, w, 0, 0, 5, 5);
    m[2 * w + 2] = 0;
    const info = maskInfoFromBinary(m, w, 5)!;
    expect(info.areaPx).toBe(24);
    expect(polygonAreaSigned(info.polygon)).toBe(25);
    expect(info.centroid).toEqual([2.5, 2.5]);
  });
});

describe('RLE', () => {
  it('starts with a zero-length zeros run when the first pixel is set', () => {
    const m = Uint8Array.from([1, 1, 0, 0, 1, 0]);
    expect(encodeRle(m, 3, 2).counts).toEqual([0, 2, 2, 1, 1]);
    expect(encodeRle(Uint8Array.from([0, 0, 1, 1]), 2, 2).counts).toEqual([2, 2]);
  });

  it('round-trips a pseudo-random mask and a crop of it', () => {
    const w = 37;
    const h = 23;
    const m = new Uint8Array(w * h);
    let seed = 12345;
    for (let i = 0; i < m.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      m[i] = seed >>> 30 === 0 ? 1 : 0;
    }
    expect(decodeRle(encodeRle(m, w, h))).toEqual(m);
    const crop = decodeRle(encodeRle(m, w, h, 5, 7, 10, 4));
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 10; x++) expect(crop[y * 10 + x]).toBe(m[(y + 7) * w + x + 5]);
  });

  it('rejects runs that do not cover the grid exactly', () => {
    expect(() => decodeRle({ width: 2, height: 2, counts: [1, 2] })).toThrow(RangeError);
    expect(() => decodeRle({ width: 2, height: 2, counts: [3, 2] })).toThrow(RangeError);
  });
});

describe('polygon helpers', () => {
  it('convexHull drops interior and collinear points', () => {
    const pts: PointXy[] = [
      [0, 0],
      [2, 0],
      [4, 0],
      [4, 4],
      [0, 4],
      [2, 2],
      [1, 3],
    ];
    const hull = convexHull(pts);
    expect(new Set(hull.map((p) => p.join(',')))).toEqual(new Set(['0,0', '4,0', '4,4', '0,4']));
  });

  it('minAreaRect of a diamond is a square at 45°, of a thin rotated box its long side', () => {
    const diamond = minAreaRect(
      convexHull([
        [0, 1],
        [1, 0],
        [2, 1],
        [1, 2],
      ]),
    );
    expect(diamond.angleDeg).toBeCloseTo(45, 9);
    expect(diamond.lengthPx).toBeCloseTo(Math.SQRT2, 9);
    expect(diamond.centreXy[0]).toBeCloseTo(1, 9);
    expect(diamond.centreXy[1]).toBeCloseTo(1, 9);

    // 10×2 box whose long side runs along (cos −20°, sin −20°).
    const a = (-20 * Math.PI) / 180;
    const u: PointXy = [Math.cos(a), Math.sin(a)];
    const n: PointXy = [-u[1], u[0]];
    const corners: PointXy[] = [
      [0, 0],
      [10 * u[0], 10 * u[1]],
      [10 * u[0] + 2 * n[0], 10 * u[1] + 2 * n[1]],
      [2 * n[0], 2 * n[1]],
    ];
    const r = minAreaRect(convexHull(corners));
    expect(r.angleDeg).toBeCloseTo(-20, 9);
    expect(r.lengthPx).toBeCloseTo(10, 9);
    expect(r.widthPx).toBeCloseTo(2, 9);
  });

  it('normalizeAngleDeg maps into (-90, 90]', () => {
    expect(normalizeAngleDeg(-90)).toBe(90);
    expect(normalizeAngleDeg(90)).toBe(90);
    expect(normalizeAngleDeg(180)).toBe(0);
    expect(normalizeAngleDeg(-135)).toBe(45);
    expect(normalizeAngleDeg(270)).toBe(90);
  });

  it('simplifyClosedPolygon flattens a staircase within ε and keeps true corners', () => {
    // Right triangle with a 1-px staircase hypotenuse from (0,0) to (8,8).
    const pts: PointXy[] = [[0, 0]];
    for (let k = 0; k < 8; k++) pts.push([k + 1, k], [k + 1, k + 1]);
    pts.push([0, 8]);
    const simple = simplifyClosedPolygon(pts, 1);
    expect(simple.length).toBeLessThanOrEqual(4);
    expect(simple.map((p) => p.join(','))).toContain('0,8');
    expect(simple.map((p) => p.join(','))).toContain('0,0');
    expect(simplifyClosedPolygon(pts, 0.1)).toHaveLength(pts.length);
  });
});

/** Pure parts of drawing overlays: the class palette and label placement (tested in Node). */

/**
 * A fixed palette of 24 colours chosen to be told apart on a dark picture (Kelly's and
 * Tableau-like hues, no two neighbours alike). Indexed by class id, so a class keeps its colour
 * across sessions, models with the same class list, and screens.
 */
export const PALETTE: readonly (readonly [number, number, number])[] = [
  [255, 56, 56],
  [72, 219, 251],
  [255, 178, 29],
  [45, 206, 112],
  [186, 104, 255],
  [255, 112, 200],
  [255, 255, 90],
  [0, 156, 255],
  [255, 140, 80],
  [146, 255, 166],
  [214, 158, 255],
  [0, 212, 187],
  [255, 90, 130],
  [160, 200, 40],
  [120, 150, 255],
  [255, 210, 160],
  [0, 255, 255],
  [200, 120, 60],
  [255, 0, 255],
  [150, 255, 0],
  [255, 160, 255],
  [90, 180, 140],
  [230, 230, 230],
  [255, 99, 71],
];

/** The class's colour as [r, g, b]: stable for a class id; ids beyond 24 reuse the palette. */
export function classRgb(classId: number): [number, number, number] {
  const n = PALETTE.length;
  const [r, g, b] = PALETTE[((Math.trunc(classId) % n) + n) % n];
  return [r, g, b];
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const intersects = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where each label goes: the first candidate (above the box, inside its top, below it) that stays
 * in the picture and overlaps no label placed before; null when every candidate collides (the
 * table still lists the object). Earlier labels win, so callers pass the most important first.
 */
export function placeLabels(
  boxes: readonly { xyxy: readonly [number, number, number, number]; w: number; h: number }[],
  widthPx: number,
  heightPx: number,
): (Rect | null)[] {
  const placed: Rect[] = [];
  return boxes.map(({ xyxy: [x1, y1, , y2], w, h }) => {
    const x = Math.max(0, Math.min(x1, widthPx - w));
    const candidates: Rect[] = [
      { x, y: y1 - h, w, h },
      { x, y: y1, w, h },
      { x, y: y2, w, h },
    ];
    for (const c of candidates) {
      if (c.y < 0 || c.y + c.h > heightPx) continue;
      if (placed.some((p) => intersects(p, c))) continue;
      placed.push(c);
      return c;
    }
    return null;
  });
}

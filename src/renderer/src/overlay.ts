/**
 * Drawing one frame: the picture, then the overlays computed from that same frame's detections.
 * Coordinates are source-frame pixels; the canvas is sized to the source frame and scaled by CSS.
 */
import type { Detection, MaskRle } from '../../shared/detection';

export interface OverlayOptions {
  boxes: boolean;
  labels: boolean;
  masks: boolean;
  centres: boolean;
  tracks: boolean;
  /** Segmentation view: masks emphasised with outlines, area and angle written on them. */
  segmentation: boolean;
}

export const DEFAULT_OVERLAYS: OverlayOptions = {
  boxes: true,
  labels: true,
  masks: true,
  centres: true,
  tracks: true,
  segmentation: false,
};

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

export const classColour = (classId: number, alpha = 1): string => {
  const [r, g, b] = classRgb(classId);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
};

export function detectionCentre(d: Detection): [number, number] {
  if (d.mask) return d.mask.centroid;
  return [(d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2];
}

function rleCanvas(rle: MaskRle, rgb: [number, number, number], alpha: number): OffscreenCanvas | null {
  if (typeof OffscreenCanvas === 'undefined' || rle.width <= 0 || rle.height <= 0) return null;
  const img = new ImageData(rle.width, rle.height);
  const a = Math.round(alpha * 255);
  let pos = 0;
  rle.counts.forEach((run, i) => {
    if (i % 2 === 1) {
      for (let p = pos; p < pos + run && p < rle.width * rle.height; p++) {
        img.data[p * 4] = rgb[0];
        img.data[p * 4 + 1] = rgb[1];
        img.data[p * 4 + 2] = rgb[2];
        img.data[p * 4 + 3] = a;
      }
    }
    pos += run;
  });
  const c = new OffscreenCanvas(rle.width, rle.height);
  c.getContext('2d')?.putImageData(img, 0, 0);
  return c;
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

export function drawOverlays(
  ctx: CanvasRenderingContext2D,
  detections: Detection[],
  widthPx: number,
  opts: OverlayOptions,
  /** Source pixels per screen pixel: lines and labels keep one size on screen. */
  pxPerCss: number,
  fmtScore: (s: number) => string,
  fmtArea: (a: number) => string,
): void {
  const heightPx = ctx.canvas.height;
  const lw = Math.max(1, 2 * pxPerCss);
  const fontPx = Math.max(8, Math.round(15 * pxPerCss));
  const seg = opts.segmentation;
  if (opts.masks || seg) {
    for (const d of detections) {
      const m = d.mask;
      if (!m) continue;
      const rgb = classRgb(d.classId);
      const alpha = seg ? 0.6 : 0.38;
      if (m.polygon.length >= 3) {
        ctx.beginPath();
        ctx.moveTo(m.polygon[0][0], m.polygon[0][1]);
        for (let i = 1; i < m.polygon.length; i++) ctx.lineTo(m.polygon[i][0], m.polygon[i][1]);
        ctx.closePath();
        ctx.fillStyle = `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})`;
        ctx.fill();
        if (seg) {
          ctx.lineWidth = lw;
          ctx.strokeStyle = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
          ctx.stroke();
        }
      } else if (m.rle && m.originXy) {
        const c = rleCanvas(m.rle, rgb, alpha);
        if (c) ctx.drawImage(c, m.originXy[0], m.originXy[1]);
      }
    }
  }
  for (const d of detections) {
    const [x1, y1, x2, y2] = d.box;
    const colour = classColour(d.classId);
    // The Boxes toggle means the same in both views.
    if (opts.boxes) {
      ctx.lineWidth = lw;
      ctx.strokeStyle = colour;
      ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    }
    if (opts.centres) {
      const [cx, cy] = detectionCentre(d);
      const r = lw * 3;
      ctx.lineWidth = lw;
      ctx.strokeStyle = '#fff';
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }
  if (!opts.labels && !opts.tracks) return;
  ctx.font = `600 ${fontPx}px system-ui, 'Noto Sans CJK KR', sans-serif`;
  // Highest scores first: when labels would collide, the surest objects keep theirs.
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score);
  const texts = order.map((i) => {
    const d = detections[i];
    const parts: string[] = [];
    if (opts.tracks && d.trackId !== undefined && d.trackId >= 1) parts.push(`#${d.trackId}`);
    if (opts.labels)
      parts.push(
        seg && d.mask
          ? `${d.className} ${fmtArea(d.mask.areaPx)} · ${Math.round(d.mask.angleDeg)}°`
          : `${d.className} ${fmtScore(d.score)}`,
      );
    return parts.join(' ');
  });
  const h = fontPx * 1.35;
  const spots = placeLabels(
    order.map((i, k) => ({
      xyxy: detections[i].box,
      w: texts[k] ? ctx.measureText(texts[k]).width + fontPx * 0.6 : 0,
      h,
    })),
    widthPx,
    heightPx,
  );
  spots.forEach((r, k) => {
    if (!r || !texts[k]) return;
    ctx.fillStyle = classColour(detections[order[k]].classId);
    ctx.fillRect(r.x, r.y, r.w, r.h);
    ctx.fillStyle = '#000';
    ctx.fillText(texts[k], r.x + fontPx * 0.3, r.y + fontPx * 1.05);
  });
}

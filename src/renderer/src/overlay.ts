/**
 * Drawing one frame: the picture, then the overlays computed from that same frame's detections.
 * Coordinates are source-frame pixels; the canvas is sized to the source frame and scaled by CSS.
 */
import type { Detection, MaskRle } from '../../shared/detection';
import { classRgb, placeLabels } from '../../shared/overlay-layout';

export { classRgb, PALETTE } from '../../shared/overlay-layout';

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

import { classColour } from '../../shared/overlay-style';

export { classColour };

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

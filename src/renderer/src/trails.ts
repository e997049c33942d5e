/** Drawing the trails of recent track positions (kept by TrailStore) on the live overlay. */
import type { Trail } from '../../shared/trail-store';
import { classColour } from './overlay';

export { TrailStore, DEFAULT_TRAIL_OPTIONS, type Trail, type TrailOptions } from '../../shared/trail-store';

/** Draws each trail as a polyline fading towards its oldest point, in the track's class colour. */
export function drawTrails(ctx: CanvasRenderingContext2D, trails: readonly Trail[], widthPx: number): void {
  const lw = Math.max(2, widthPx / 400);
  ctx.lineWidth = lw;
  ctx.lineCap = 'round';
  for (const t of trails) {
    const n = t.points.length;
    for (let i = 1; i < n; i++) {
      ctx.strokeStyle = classColour(t.classId, 0.15 + (0.85 * i) / (n - 1));
      ctx.beginPath();
      ctx.moveTo(t.points[i - 1][0], t.points[i - 1][1]);
      ctx.lineTo(t.points[i][0], t.points[i][1]);
      ctx.stroke();
    }
  }
}

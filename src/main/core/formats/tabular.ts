/** Detections as CSV (one row per detection) and JSON lines (one line per frame). Pure. */
import type { ExportFrame } from './types';

export const CSV_HEADER =
  'capture_time_ms,frame_no,frame_id,class_id,class_name,score,x1,y1,x2,y2,track_id,image_width,image_height';

/** RFC 4180 quoting: only when the field needs it. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

export function toCsv(frames: readonly ExportFrame[]): string {
  const rows = [CSV_HEADER];
  for (const f of frames) {
    for (const d of f.detections) {
      rows.push(
        [
          f.captureTimeMs,
          f.frameNo,
          f.frameId,
          d.classId,
          d.className,
          round(d.score, 4),
          ...d.box.map((v) => round(v, 2)),
          d.trackId ?? '',
          f.widthPx,
          f.heightPx,
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

export function toJsonLines(frames: readonly ExportFrame[]): string {
  return frames
    .map((f) =>
      JSON.stringify({
        captureTimeMs: f.captureTimeMs,
        frameNo: f.frameNo,
        frameId: f.frameId,
        widthPx: f.widthPx,
        heightPx: f.heightPx,
        detections: f.detections,
      }),
    )
    .map((l) => l + '\n')
    .join('');
}

/**
 * Label Studio JSON export (a list of tasks): `rectanglelabels` results with x, y, width, height in
 * percent of original_width/original_height. The first annotation that was not cancelled counts.
 */
import { z } from 'zod';
import type { BoxXyxy } from '../../core/metrics/boxes';
import type { GroundTruthBox, LabelledImage, LabelledSet } from '../../core/metrics/labelled-set';

const Result = z.object({
  type: z.string(),
  original_width: z.number().positive().optional(),
  original_height: z.number().positive().optional(),
  value: z
    .object({
      x: z.number().optional(),
      y: z.number().optional(),
      width: z.number().optional(),
      height: z.number().optional(),
      rotation: z.number().optional(),
      rectanglelabels: z.array(z.string()).optional(),
    })
    .loose(),
});
const Task = z.object({
  id: z.union([z.number(), z.string()]),
  data: z.record(z.string(), z.unknown()),
  annotations: z
    .array(z.object({ was_cancelled: z.boolean().optional(), result: z.array(Result.loose()) }).loose())
    .default([]),
});
const Export = z.array(Task.loose());

export function isLabelStudioExport(json: unknown): boolean {
  return (
    Array.isArray(json) &&
    json.length > 0 &&
    typeof json[0] === 'object' &&
    json[0] !== null &&
    'annotations' in json[0]
  );
}

/** The rectangle, rotated (degrees, clockwise about its top-left corner) when asked, as bounds. */
function rectXyxy(xPx: number, yPx: number, wPx: number, hPx: number, rotationDeg: number): BoxXyxy {
  if (rotationDeg === 0) return [xPx, yPx, xPx + wPx, yPx + hPx];
  const a = (rotationDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const pts = [
    [0, 0],
    [wPx, 0],
    [wPx, hPx],
    [0, hPx],
  ].map(([u, v]) => [xPx + u! * cos - v! * sin, yPx + u! * sin + v! * cos]);
  const xs = pts.map((p) => p[0]!);
  const ys = pts.map((p) => p[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function parseLabelStudioExport(json: unknown, source: string): LabelledSet {
  const r = Export.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${source} is not a Label Studio JSON export: ${i.path.join('.')}: ${i.message}`);
  }
  const warnings: string[] = [];
  const classNames: string[] = [];
  const images: LabelledImage[] = r.data.map((task) => {
    const image = task.data['image'];
    const fileName =
      typeof image === 'string' ? decodeURIComponent(image.split('?')[0]!.split('/').pop()!) : null;
    if (fileName === null) warnings.push(`${source}: task ${task.id} has no data.image`);
    const ann = task.annotations.find((a) => a.was_cancelled !== true);
    const boxes: GroundTruthBox[] = [];
    let widthPx: number | null = null;
    let heightPx: number | null = null;
    for (const res of ann?.result ?? []) {
      if (res.type !== 'rectanglelabels') continue;
      const v = res.value;
      const labels = v.rectanglelabels ?? [];
      if (
        res.original_width === undefined ||
        res.original_height === undefined ||
        v.x === undefined ||
        v.y === undefined ||
        v.width === undefined ||
        v.height === undefined ||
        labels.length === 0
      ) {
        warnings.push(`${source}: task ${task.id}: a rectangle without size, position or label was skipped`);
        continue;
      }
      widthPx = res.original_width;
      heightPx = res.original_height;
      const xyxy = rectXyxy(
        (v.x / 100) * widthPx,
        (v.y / 100) * heightPx,
        (v.width / 100) * widthPx,
        (v.height / 100) * heightPx,
        v.rotation ?? 0,
      );
      for (const className of labels) {
        if (!classNames.includes(className)) classNames.push(className);
        boxes.push({ className, xyxy });
      }
    }
    // Label Studio stores uploads as `<8 hex digits>-<original name>`; match the original name too.
    const original = fileName?.replace(/^[0-9a-f]{8}-/, '');
    const aliases = original && original !== fileName ? [original] : [];
    return { key: String(task.id), fileName, aliases, filePath: null, widthPx, heightPx, boxes };
  });
  return { format: 'label-studio', classNames, classIds: classNames.map((_, i) => i), images, warnings };
}

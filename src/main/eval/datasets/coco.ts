/** COCO JSON: a ground-truth dict (images, categories, annotations) and detection results. */
import { z } from 'zod';
import { xywhToXyxy } from '../../core/metrics/boxes';
import { imageKeyResolver, type DetectionRecord, type LabelledSet } from '../../core/metrics/labelled-set';

const Bbox = z.tuple([z.number(), z.number(), z.number().min(0), z.number().min(0)]);
const CocoGt = z.object({
  images: z.array(
    z.object({
      id: z.number().int(),
      file_name: z.string().optional(),
      width: z.number().positive().optional(),
      height: z.number().positive().optional(),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int(), name: z.string().min(1) })),
  annotations: z.array(
    z.object({
      image_id: z.number().int(),
      category_id: z.number().int(),
      bbox: Bbox,
      area: z.number().min(0).optional(),
      iscrowd: z.union([z.number(), z.boolean()]).optional(),
    }),
  ),
});

const CocoResult = z.object({
  image_id: z.number().int(),
  category_id: z.number().int(),
  bbox: Bbox,
  score: z.number(),
});
/** A results list, or a COCO-style dict whose annotations carry a score (as some tools write). */
const CocoDets = z.union([z.array(CocoResult), z.object({ annotations: z.array(CocoResult) })]);

function issueText(e: z.ZodError): string {
  const i = e.issues[0]!;
  return `${i.path.join('.') || '(top level)'}: ${i.message}`;
}

export function isCocoGroundTruth(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    'images' in json &&
    'categories' in json
  );
}

export function parseCocoGroundTruth(json: unknown, source: string): LabelledSet {
  const r = CocoGt.safeParse(json);
  if (!r.success) throw new Error(`${source} is not COCO ground truth: ${issueText(r.error)}`);
  const gt = r.data;
  const cats = [...gt.categories].sort((a, b) => a.id - b.id);
  const nameOf = new Map(cats.map((c) => [c.id, c.name]));
  const warnings: string[] = [];
  const images = new Map(
    gt.images.map((img) => [
      img.id,
      {
        key: String(img.id),
        cocoImageId: img.id,
        fileName: img.file_name ?? null,
        filePath: null,
        widthPx: img.width ?? null,
        heightPx: img.height ?? null,
        boxes: [] as LabelledSet['images'][number]['boxes'],
      },
    ]),
  );
  gt.annotations.forEach((a, i) => {
    const img = images.get(a.image_id);
    const name = nameOf.get(a.category_id);
    if (!img)
      warnings.push(`${source}: annotation ${i} refers to image_id ${a.image_id}, which is not in images`);
    else if (name === undefined)
      warnings.push(
        `${source}: annotation ${i} has category_id ${a.category_id}, which is not in categories`,
      );
    else
      img.boxes.push({
        className: name,
        xyxy: xywhToXyxy(a.bbox),
        cocoXywh: a.bbox,
        iscrowd: a.iscrowd === true || a.iscrowd === 1,
        ...(a.area !== undefined ? { areaPx2: a.area } : {}),
      });
  });
  return {
    format: 'coco',
    classNames: cats.map((c) => c.name),
    classIds: cats.map((c) => c.id),
    images: [...images.values()],
    warnings,
  };
}

/**
 * Detections whose image or category the set does not know are reported in `warnings`. A COCO
 * image id is looked up as the set's image key, or as a file stem (for sets named by file).
 */
export function parseCocoDetections(
  json: unknown,
  set: LabelledSet,
  source: string,
): { detections: DetectionRecord[]; warnings: string[] } {
  const r = CocoDets.safeParse(json);
  if (!r.success) throw new Error(`${source} is not a COCO results list: ${issueText(r.error)}`);
  const rows = Array.isArray(r.data) ? r.data : r.data.annotations;
  const nameOfId = new Map(set.classIds.map((id, i) => [id, set.classNames[i]!]));
  const resolve = imageKeyResolver(set);
  const warnings: string[] = [];
  const unknownImages = new Set<number>();
  const unknownCats = new Map<number, number>();
  const detections: DetectionRecord[] = [];
  for (const d of rows) {
    const key = resolve(String(d.image_id));
    const className = nameOfId.get(d.category_id);
    if (key === null) unknownImages.add(d.image_id);
    else if (className === undefined)
      unknownCats.set(d.category_id, (unknownCats.get(d.category_id) ?? 0) + 1);
    else
      detections.push({
        imageKey: key,
        className,
        score: d.score,
        xyxy: xywhToXyxy(d.bbox),
        cocoXywh: d.bbox,
      });
  }
  if (unknownImages.size > 0)
    warnings.push(
      `${source}: detections on image ids not in the ground truth, not scored: ${[...unknownImages].join(', ')}`,
    );
  for (const [id, n] of unknownCats)
    warnings.push(
      `${source}: ${n} detection(s) of category_id ${id}, which the ground truth does not have, not scored`,
    );
  return { detections, warnings };
}

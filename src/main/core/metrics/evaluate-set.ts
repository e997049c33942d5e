/**
 * Runs the COCO or VOC evaluation on a labelled set and a detection list, and shapes the results as
 * the `eval` command prints them. Detections of classes the set does not have are not scored (as in
 * pycocotools, whose categories come from the ground truth) but are counted for the report.
 */
import { xyxyToXywh } from './boxes';
import { evaluateCoco, type CocoEvalResult, type CocoStats } from './coco-eval';
import type { DetectionRecord, LabelledSet } from './labelled-set';
import { evaluateVoc, type VocEvalResult } from './voc-eval';

/** Class names that appear in detections but not in the set, with how many detections each. */
export function unknownDetectionClasses(
  set: LabelledSet,
  dets: readonly DetectionRecord[],
): Map<string, number> {
  const known = new Set(set.classNames);
  const unknown = new Map<string, number>();
  for (const d of dets)
    if (!known.has(d.className)) unknown.set(d.className, (unknown.get(d.className) ?? 0) + 1);
  return unknown;
}

export interface CocoSetResult {
  result: CocoEvalResult;
  json: {
    format: 'coco';
    stats: CocoStats;
    perClass: { classId: number; className: string; AP: number; AP50: number; AP75: number; AR100: number }[];
  };
}

const r6 = (v: number): number => Number(v.toFixed(6));

export function evaluateSetCoco(set: LabelledSet, dets: readonly DetectionRecord[]): CocoSetResult {
  const idOfClass = new Map(set.classNames.map((n, i) => [n, set.classIds[i]!]));
  const imageIdOf = new Map(set.images.map((img, i) => [img.key, img.cocoImageId ?? i]));
  const result = evaluateCoco({
    imageIds: [...imageIdOf.values()],
    categoryIds: set.classIds,
    groundTruths: set.images.flatMap((img) =>
      img.boxes.map((b) => {
        // x + w - x is not always w in floating point: keep a COCO file's own numbers.
        const xywh = b.cocoXywh ?? xyxyToXywh(b.xyxy);
        return {
          imageId: imageIdOf.get(img.key)!,
          categoryId: idOfClass.get(b.className)!,
          bboxXywh: xywh,
          areaPx2: b.areaPx2 ?? xywh[2] * xywh[3],
          iscrowd: b.iscrowd === true,
        };
      }),
    ),
    detections: dets
      .filter((d) => idOfClass.has(d.className) && imageIdOf.has(d.imageKey))
      .map((d) => ({
        imageId: imageIdOf.get(d.imageKey)!,
        categoryId: idOfClass.get(d.className)!,
        bboxXywh: d.cocoXywh ?? xyxyToXywh(d.xyxy),
        score: d.score,
      })),
  });
  const nameOfId = new Map(set.classIds.map((id, i) => [id, set.classNames[i]!]));
  const stats = Object.fromEntries(
    Object.entries(result.stats).map(([k, v]) => [k, r6(v)]),
  ) as unknown as CocoStats;
  return {
    result,
    json: {
      format: 'coco',
      stats,
      perClass: result.perClass.map((c) => ({
        classId: c.categoryId,
        className: nameOfId.get(c.categoryId)!,
        AP: r6(c.AP),
        AP50: r6(c.AP50),
        AP75: r6(c.AP75),
        AR100: r6(c.AR100),
      })),
    },
  };
}

export interface VocSetResult {
  result: VocEvalResult;
  json: {
    format: 'voc';
    iou: number;
    perClass: { className: string; ap11: number; apAll: number; tp: number; fp: number; positives: number }[];
    mAP11: number;
    mAPAll: number;
  };
}

/** Only the set's classes are scored, so a detector's other classes do not lower the mean. */
export function evaluateSetVoc(
  set: LabelledSet,
  dets: readonly DetectionRecord[],
  iouThreshold: number,
): VocSetResult {
  const known = new Set(set.classNames);
  const result = evaluateVoc(
    set.images.flatMap((img) =>
      img.boxes.map((b) => ({ imageKey: img.key, className: b.className, xyxy: b.xyxy })),
    ),
    dets.filter((d) => known.has(d.className)),
    iouThreshold,
    set.classNames,
  );
  return {
    result,
    json: {
      format: 'voc',
      iou: iouThreshold,
      perClass: result.perClass.map((c) => ({
        className: c.className,
        ap11: r6(c.ap11),
        apAll: r6(c.apAll),
        tp: c.tp,
        fp: c.fp,
        positives: c.positives,
      })),
      mAP11: r6(result.mAP11),
      mAPAll: r6(result.mAPAll),
    },
  };
}

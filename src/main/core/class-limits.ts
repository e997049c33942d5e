/**
 * Per-class limits, applied after decoding: whether a class is wanted at all, its own confidence
 * threshold, an area range (pixels, or mm² through the pixel → mm homography), an aspect-ratio
 * range, and whether it goes to the PLC / serial port.
 *
 * Every detection gets a verdict, so the UI can draw a filtered object dimmed with the reason
 * instead of making it vanish (a commissioning engineer needs to see *why* a part is not sent).
 *
 * Conventions:
 * - area: the mask's pixel count when the detection has a mask, else the box area. In mm², the box
 *   corners are mapped through H and the quadrilateral's area taken; a mask's area is scaled by
 *   the same mm²-per-px² ratio (exact for an affine H, the local value under perspective).
 * - aspect ratio: box width / box height, in pixels (so 2 is a box twice as wide as tall).
 * - a class without an entry uses `othersEnabled` and the global confidence threshold.
 */
import { z } from 'zod';
import type { Detection, PointXy } from '../../shared/detection';
import type { FilterReason, FilteredDetection } from '../../shared/verdict';
import { applyHomography, type Homography3x3 } from './calibration';

export { FILTER_REASONS, type FilterReason, type FilteredDetection } from '../../shared/verdict';

const optionalPositive = z.number().finite().min(0).nullable().default(null);

export const ClassLimitSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Null: the global confidence threshold. */
    confThreshold: z.number().min(0).max(1).nullable().default(null),
    areaUnit: z.enum(['px', 'mm2']).default('px'),
    minArea: optionalPositive,
    maxArea: optionalPositive,
    /** Box width / height in pixels. */
    minAspect: optionalPositive,
    maxAspect: optionalPositive,
    sendToPlc: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.minArea !== null && c.maxArea !== null && c.minArea > c.maxArea)
      ctx.addIssue({ code: 'custom', path: ['maxArea'], message: `must be at least minArea (${c.minArea})` });
    if (c.minAspect !== null && c.maxAspect !== null && c.minAspect > c.maxAspect)
      ctx.addIssue({
        code: 'custom',
        path: ['maxAspect'],
        message: `must be at least minAspect (${c.minAspect})`,
      });
  });
export type ClassLimit = z.output<typeof ClassLimitSchema>;

export const ClassLimitsSchema = z
  .object({
    /** Class name → its limits. */
    classes: z.record(z.string().min(1).max(128), ClassLimitSchema).default({}),
    /** Whether classes without an entry are kept (false after `--classes a,b`). */
    othersEnabled: z.boolean().default(true),
  })
  .strict()
  .refine((l) => Object.keys(l.classes).length <= 10_000, 'at most 10000 classes');
export type ClassLimits = z.output<typeof ClassLimitsSchema>;

export const NO_CLASS_LIMITS: ClassLimits = { classes: {}, othersEnabled: true };

export const DEFAULT_CLASS_LIMIT: ClassLimit = ClassLimitSchema.parse({});

export interface ClassLimitContext {
  /** The threshold for classes without their own. */
  globalConfThreshold: number;
  /** Needed when any limit is in mm². */
  homographyPxToMm: Homography3x3 | null;
}

export type Verdict = { kept: true } | { kept: false; reason: FilterReason; detail: string };

export interface JudgedDetections {
  kept: Detection[];
  filtered: FilteredDetection[];
}

export function limitFor(limits: ClassLimits, className: string): ClassLimit {
  return limits.classes[className] ?? { ...DEFAULT_CLASS_LIMIT, enabled: limits.othersEnabled };
}

/** Problems a person can act on (unknown class names, mm² without a calibration); empty when fine. */
export function classLimitProblems(
  limits: ClassLimits,
  classNames: readonly string[],
  hasCalibration: boolean,
): string[] {
  const problems: string[] = [];
  const known = new Set(classNames);
  const unknown = Object.keys(limits.classes).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const shown = classNames.slice(0, 12).join(', ') + (classNames.length > 12 ? ', ...' : '');
    problems.push(`unknown class ${unknown.map((n) => `'${n}'`).join(', ')} (the model has: ${shown})`);
  }
  if (!hasCalibration) {
    const mm = Object.entries(limits.classes).filter(([, l]) => l.areaUnit === 'mm2');
    if (mm.length > 0)
      problems.push(
        `area limits in mm² for ${mm.map(([n]) => `'${n}'`).join(', ')} need a pixel → mm calibration`,
      );
  }
  return problems;
}

/**
 * The threshold to decode with: the lowest of the global one and every enabled class's own, so a
 * class may ask for a lower threshold than the rest; judge() then applies each class's own.
 */
export function decodeConfThreshold(limits: ClassLimits, globalConfThreshold: number): number {
  let t = globalConfThreshold;
  for (const l of Object.values(limits.classes))
    if (l.enabled && l.confThreshold !== null) t = Math.min(t, l.confThreshold);
  return t;
}

function polygonAreaAbs(points: readonly PointXy[]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}

/** Area in px² (mask pixels, else box) or mm² (see the file comment). NaN if H maps it to infinity. */
export function detectionArea(
  det: Pick<Detection, 'box' | 'mask'>,
  unit: 'px' | 'mm2',
  h: Homography3x3 | null,
): number {
  const [x1, y1, x2, y2] = det.box;
  const boxPx = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const areaPx = det.mask ? det.mask.areaPx : boxPx;
  if (unit === 'px') return areaPx;
  if (!h) return Number.NaN;
  const corners: PointXy[] = [
    [x1, y1],
    [x2, y1],
    [x2, y2],
    [x1, y2],
  ];
  const boxMm2 = polygonAreaAbs(corners.map((p) => applyHomography(h, p)));
  if (!det.mask) return boxMm2;
  return boxPx > 0 ? areaPx * (boxMm2 / boxPx) : 0;
}

const fmt = (v: number): string => String(Number(v.toFixed(3)));

/** The verdict for one detection. Checks run in a fixed order; the first failing one is the reason. */
export function judgeDetection(det: Detection, limits: ClassLimits, ctx: ClassLimitContext): Verdict {
  const l = limitFor(limits, det.className);
  const name = det.className;
  if (!l.enabled) return { kept: false, reason: 'classDisabled', detail: `class '${name}' is switched off` };
  const conf = l.confThreshold ?? ctx.globalConfThreshold;
  if (det.score < conf)
    return {
      kept: false,
      reason: 'belowClassConf',
      detail: `score ${fmt(det.score)} < ${fmt(conf)} (${name})`,
    };
  if (l.minArea !== null || l.maxArea !== null) {
    const area = detectionArea(det, l.areaUnit, ctx.homographyPxToMm);
    const unit = l.areaUnit === 'px' ? 'px' : 'mm²';
    // NaN (no calibration, or a point on the horizon) fails both comparisons: treat as too small,
    // so an unmeasurable object is never sent as if it were within limits.
    if (l.minArea !== null && !(area >= l.minArea))
      return {
        kept: false,
        reason: 'areaTooSmall',
        detail: `area ${fmt(area)} ${unit} < ${fmt(l.minArea)} ${unit} (${name})`,
      };
    if (l.maxArea !== null && !(area <= l.maxArea))
      return {
        kept: false,
        reason: Number.isNaN(area) ? 'areaTooSmall' : 'areaTooLarge',
        detail: `area ${fmt(area)} ${unit} > ${fmt(l.maxArea)} ${unit} (${name})`,
      };
  }
  if (l.minAspect !== null || l.maxAspect !== null) {
    const [x1, y1, x2, y2] = det.box;
    const aspect = (x2 - x1) / (y2 - y1);
    if (l.minAspect !== null && !(aspect >= l.minAspect))
      return {
        kept: false,
        reason: 'aspectTooLow',
        detail: `aspect ${fmt(aspect)} < ${fmt(l.minAspect)} (${name})`,
      };
    if (l.maxAspect !== null && !(aspect <= l.maxAspect))
      return {
        kept: false,
        reason: 'aspectTooHigh',
        detail: `aspect ${fmt(aspect)} > ${fmt(l.maxAspect)} (${name})`,
      };
  }
  return { kept: true };
}

/** Splits detections into kept and filtered (with reasons), keeping their order. */
export function judgeDetections(
  detections: readonly Detection[],
  limits: ClassLimits,
  ctx: ClassLimitContext,
): JudgedDetections {
  const kept: Detection[] = [];
  const filtered: FilteredDetection[] = [];
  for (const det of detections) {
    const v = judgeDetection(det, limits, ctx);
    if (v.kept) kept.push(det);
    else filtered.push({ detection: det, reason: v.reason, detail: v.detail });
  }
  return { kept, filtered };
}

/** What the PLC and serial port receive: kept detections whose class is sent. */
export function detectionsForPlc(kept: readonly Detection[], limits: ClassLimits): Detection[] {
  return kept.filter((d) => limitFor(limits, d.className).sendToPlc);
}

/**
 * Limits from the command line: `--classes a,b` (only these) and `--class-conf NAME=T` entries.
 * A class given a threshold but not listed in `--classes` stays off (the list is the whitelist).
 */
export function classLimitsFromFlags(
  classes: readonly string[] | null,
  classConf: readonly (readonly [string, number])[],
): ClassLimits {
  const out: Record<string, ClassLimit> = {};
  for (const name of classes ?? []) out[name] = { ...DEFAULT_CLASS_LIMIT };
  for (const [name, t] of classConf) {
    const enabled = classes === null || classes.includes(name);
    out[name] = { ...(out[name] ?? DEFAULT_CLASS_LIMIT), enabled, confThreshold: t };
  }
  return { classes: out, othersEnabled: classes === null };
}

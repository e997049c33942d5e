/**
 * A recipe ("job" on Cognex/Keyence sensors): everything that makes the station inspect one
 * product — model, thresholds, per-class limits, zones and counting lines, calibration, PLC slot,
 * recording rules. Pure: the schema, the file format with its versions, and their migration.
 * Storage is in src/main/storage/recipes.ts.
 *
 * File versions:
 * - 1: the first format, flat: `{version:1, name, modelId, conf, iou, classes?: string[],
 *   homography?: number[9], plcSlot?: number}`.
 * - 2 (current): the structured object below.
 */
import { z } from 'zod';
import { homographySchema } from './calibration';
import { CalibrationPointSchema } from './calibration-solver';
import { ClassLimitsSchema, classLimitsFromFlags } from './class-limits';

export const RECIPE_VERSION = 2;

const pointPx = z.tuple([z.number().finite(), z.number().finite()]);

export const ZoneSchema = z
  .object({
    kind: z.enum(['include', 'exclude']),
    pointsPx: z.array(pointPx).min(3, 'a zone needs at least 3 points').max(256),
  })
  .strict();

export const CountingLineSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a line name is 1 to 32 letters, digits, _ or -'),
    p1: pointPx,
    p2: pointPx,
  })
  .strict()
  .refine((l) => l.p1[0] !== l.p2[0] || l.p1[1] !== l.p2[1], 'a counting line needs two different points');

const scalar = z.union([z.string().max(1024), z.number().finite(), z.boolean(), z.null()]);

export const RecipeIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a recipe id is 1 to 64 lowercase letters, digits or -');

export const RecipeNameSchema = z
  .string()
  .trim()
  .min(1, 'a recipe needs a name')
  .max(80, 'a recipe name is at most 80 characters')
  .refine(
    (n) => ![...n].some((ch) => ch.charCodeAt(0) < 0x20),
    'a recipe name cannot contain control characters',
  );

/** PLC recipe slots are INTs > 0 (DESIGN.md, recipeRequest). */
export const RecipeSlotSchema = z.number().int().min(1).max(32767);

export const RecipeSchema = z
  .object({
    version: z.literal(RECIPE_VERSION),
    id: RecipeIdSchema,
    name: RecipeNameSchema,
    /** Operators may switch only between approved recipes. */
    approved: z.boolean().default(false),
    /** Library id: `classic` or an .onnx path; null keeps whatever model runs. */
    modelId: z.string().min(1).max(4096).nullable().default(null),
    params: z
      .object({
        confThreshold: z.number().min(0).max(1).default(0.25),
        iouThreshold: z.number().min(0).max(1).default(0.45),
        maxDet: z.number().int().min(1).max(10_000).default(300),
      })
      .strict()
      .prefault({}),
    classLimits: ClassLimitsSchema.prefault({}),
    zones: z.array(ZoneSchema).max(64).default([]),
    lines: z
      .array(CountingLineSchema)
      .max(8, 'at most 8 counting lines (PLC layout v2)')
      .default([])
      .refine((ls) => new Set(ls.map((l) => l.name)).size === ls.length, 'counting line names must differ'),
    calibration: z
      .object({
        homographyPxToMm: homographySchema.nullable().default(null),
        /** The point pairs it was solved from, to edit it again. */
        points: z.array(CalibrationPointSchema).max(200).default([]),
        rmsMm: z.number().finite().min(0).nullable().default(null),
      })
      .strict()
      .prefault({}),
    plc: z
      .object({ slot: RecipeSlotSchema.nullable().default(null) })
      .strict()
      .prefault({}),
    /** Opaque to this module (the recorder owns its meaning), but bounded and JSON-safe. */
    recording: z
      .record(z.string().min(1).max(64), scalar)
      .default({})
      .refine((r) => Object.keys(r).length <= 64, 'at most 64 recording settings'),
    createdAtMs: z.number().int().min(0),
    updatedAtMs: z.number().int().min(0),
  })
  .strict();

export type Recipe = z.output<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;

const RecipeV1Schema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    modelId: z.string().nullable().optional(),
    conf: z.number().optional(),
    iou: z.number().optional(),
    classes: z.array(z.string()).optional(),
    homography: z.array(z.number()).optional(),
    plcSlot: z.number().optional(),
  })
  .strict();

export type RecipeFileProblem = 'damaged' | 'futureVersion' | 'invalid';

export type ParsedRecipe =
  | { ok: true; recipe: Recipe; migratedFrom: number | null }
  | { ok: false; reason: RecipeFileProblem; message: string };

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!;
  return `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`;
}

/** Version 1 → 2; `id` and times come from the caller (v1 files had none). */
export function migrateV1(v1: z.output<typeof RecipeV1Schema>, id: string, nowMs: number): unknown {
  return {
    version: 2,
    id,
    name: v1.name,
    modelId: v1.modelId ?? null,
    params: {
      ...(v1.conf !== undefined ? { confThreshold: v1.conf } : {}),
      ...(v1.iou !== undefined ? { iouThreshold: v1.iou } : {}),
    },
    classLimits: v1.classes ? classLimitsFromFlags(v1.classes, []) : {},
    calibration: { homographyPxToMm: v1.homography ?? null },
    plc: { slot: v1.plcSlot ?? null },
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}

/**
 * A recipe file's text → a valid current recipe, or why not. `fallbackId` names a migrated
 * version-1 recipe (they had no id).
 */
export function parseRecipeText(text: string, fallbackId: string, nowMs: number): ParsedRecipe {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: 'damaged', message: `not valid JSON (${(e as Error).message})` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, reason: 'damaged', message: 'not a recipe (expected a JSON object)' };
  const version = (raw as { version?: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return { ok: false, reason: 'damaged', message: 'not a recipe (no version number)' };
  if (version > RECIPE_VERSION)
    return {
      ok: false,
      reason: 'futureVersion',
      message: `made by a newer Vision Station (recipe version ${version}; this one reads up to ${RECIPE_VERSION})`,
    };
  let candidate: unknown = raw;
  let migratedFrom: number | null = null;
  if (version === 1) {
    const v1 = RecipeV1Schema.safeParse(raw);
    if (!v1.success)
      return { ok: false, reason: 'invalid', message: `version-1 recipe: ${firstIssue(v1.error)}` };
    candidate = migrateV1(v1.data, fallbackId, nowMs);
    migratedFrom = 1;
  }
  const r = RecipeSchema.safeParse(candidate);
  if (!r.success) return { ok: false, reason: 'invalid', message: firstIssue(r.error) };
  return { ok: true, recipe: r.data, migratedFrom };
}

/** Lowercase ASCII slug of a name, for readable ids ("Bolts M8 / line 2" → "bolts-m8-line-2"). */
export function slugOf(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'recipe';
}

/**
 * Zones and counting lines as settings: zod schemas (settings file, UI) and the command-line
 * spellings `include:x1,y1,x2,y2,x3,y3[,...]`, `exclude:...` and `NAME=x1,y1,x2,y2`.
 */
import { z } from 'zod';
import { trackerOptionsSchema } from '../tracking/options';

export const MAX_COUNTING_LINES = 8;
export const MAX_ZONES = 32;
const MAX_POLYGON_POINTS = 256;
const coordinate = z.number().finite().min(-100_000).max(100_000);

export const zoneSpecSchema = z
  .object({
    kind: z
      .enum(['include', 'exclude'])
      .describe('include: only objects inside count for output; exclude: objects inside never do.'),
    name: z.string().min(1).max(64).optional(),
    polygon: z
      .array(z.tuple([coordinate, coordinate]))
      .min(3, 'a zone needs at least 3 points')
      .max(MAX_POLYGON_POINTS)
      .describe('Corners in camera pixels, in order (either winding).'),
  })
  .strict();
export type ZoneSpec = z.output<typeof zoneSpecSchema>;

export const lineSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1 to 32 letters, digits, _ . or -')
      .describe('Shown on the counter tile and used as the key in counts.'),
    x1: coordinate,
    y1: coordinate,
    x2: coordinate,
    y2: coordinate,
  })
  .strict()
  .refine((l) => l.x1 !== l.x2 || l.y1 !== l.y2, { message: 'the two end points must differ' });
export type LineSpec = z.output<typeof lineSpecSchema>;

export const lineListSchema = z
  .array(lineSpecSchema)
  .max(
    MAX_COUNTING_LINES,
    `at most ${MAX_COUNTING_LINES} counting lines (the PLC layout has room for ${MAX_COUNTING_LINES})`,
  )
  .refine((ls) => new Set(ls.map((l) => l.name)).size === ls.length, {
    message: 'line names must be unique',
  });
export const zoneListSchema = z.array(zoneSpecSchema).max(MAX_ZONES);

function numbers(text: string): number[] {
  return text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
}

/** `include:x1,y1,...` → ZoneSpec; throws a RangeError a person can act on. */
export function parseZoneArg(text: string): ZoneSpec {
  const m = /^(include|exclude):(.*)$/.exec(text);
  if (!m) throw new RangeError(`zone '${text}' must be include:x1,y1,x2,y2,x3,y3[,...] or exclude:...`);
  const v = numbers(m[2]);
  if (v.length % 2 !== 0 || v.some((x) => !Number.isFinite(x)))
    throw new RangeError(`zone '${text}': the corners must be pairs of numbers x,y`);
  const polygon: [number, number][] = [];
  for (let i = 0; i < v.length; i += 2) polygon.push([v[i], v[i + 1]]);
  const r = zoneSpecSchema.safeParse({ kind: m[1], polygon });
  if (!r.success) throw new RangeError(`zone '${text}': ${r.error.issues[0].message}`);
  return r.data;
}

/** `NAME=x1,y1,x2,y2` → LineSpec. */
export function parseLineArg(text: string): LineSpec {
  const eq = text.indexOf('=');
  if (eq < 0) throw new RangeError(`line '${text}' must be NAME=x1,y1,x2,y2`);
  const v = numbers(text.slice(eq + 1));
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x)))
    throw new RangeError(`line '${text}' must be NAME=x1,y1,x2,y2 with four numbers`);
  const r = lineSpecSchema.safeParse({ name: text.slice(0, eq), x1: v[0], y1: v[1], x2: v[2], y2: v[3] });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new RangeError(`line '${text}': ${i.path.length ? `${i.path.join('.')} ` : ''}${i.message}`);
  }
  return r.data;
}

/**
 * Tracking, zones and lines as one settings section (settings file, recipe, UI), for the app to
 * embed; `run` takes the same through its flags. Tracker options: see trackerOptionsSchema.
 */
export const trackingSettingsSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Track objects (ids across frames). On by default in the app, off in run.'),
    tracker: trackerOptionsSchema.default(trackerOptionsSchema.parse({})),
    referencePoint: z
      .enum(['centre', 'bottom-centre'])
      .default('centre')
      .describe('Which point of a box decides zones and line crossings.'),
    zones: zoneListSchema.default([]),
    lines: lineListSchema.default([]),
  })
  .strict()
  .refine((s) => s.enabled || s.lines.length === 0, {
    message: 'counting lines need tracking (a crossing is a track changing side)',
    path: ['lines'],
  });
export type TrackingSettings = z.output<typeof trackingSettingsSchema>;

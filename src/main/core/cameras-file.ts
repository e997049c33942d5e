/**
 * The cameras file of `run --cameras FILE.json`: several cameras on one station, each with its own
 * source, model (or the file's shared one), thresholds, class limits, zones, counting lines and
 * outputs. Zones and lines are written as on the command line (`include:x1,y1,...`,
 * `NAME=x1,y1,x2,y2`) or as the settings objects. The first problem found becomes one message
 * naming the camera and the field.
 */
import { z } from 'zod';
import { RecipeIdSchema } from './recipe';
import { parseClassicOptionsArg, type ClassicDetectorOptionsInput } from './classic';
import {
  lineSpecSchema,
  parseLineArg,
  parseZoneArg,
  zoneSpecSchema,
  type LineSpec,
  type ZoneSpec,
} from './counting';

/** More cameras than this would share a worker too thinly to meet 4 fps each. */
export const MAX_CAMERAS = 16;

/** A string parsed by a function that throws a RangeError a person can act on. */
const parsedBy = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx): T => {
    try {
      return parse(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

/** A zone or line as the settings object, or as its command-line spelling. */
const specOrText = <T>(schema: z.ZodType<T>, parse: (text: string) => T) =>
  z.unknown().transform((value, ctx): T => {
    try {
      if (typeof value === 'string') return parse(value);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    ctx.addIssue({
      code: 'custom',
      message: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
    });
    return z.NEVER;
  });

const threshold = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const cameraEntrySchema = z
  .object({
    name: z
      .string({ message: 'is required (e.g. "infeed"): it names the camera in results and summaries' })
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1 to 32 letters, digits, _ . or -'),
    source: z.string({ message: 'is required (e.g. "synthetic:", "rtsp://...", "v4l2:/dev/video0")' }).min(1),
    model: z.string().min(1, "must be a path to an .onnx file, or 'classic'").optional(),
    conf: threshold.optional(),
    iou: threshold.optional(),
    classes: z.array(z.string().min(1)).min(1).optional(),
    classConf: z.record(z.string().min(1), threshold).optional(),
    classic: parsedBy(parseClassicOptionsArg).optional(),
    track: z.boolean().default(false),
    zones: z.array(specOrText(zoneSpecSchema, parseZoneArg)).default([]),
    lines: z.array(specOrText(lineSpecSchema, parseLineArg)).default([]),
    referencePoint: z.enum(['centre', 'bottom-centre']).default('centre'),
    plc: z.string().min(1, 'must be s7://HOST[:PORT]?rack=0&slot=1&db=N').optional(),
    serial: z.string().min(1, 'must be PATH?baud=N').optional(),
    /** Id of the station's recipe applied at start (its model, thresholds and class limits). */
    recipe: RecipeIdSchema.optional(),
  })
  .strict();

/**
 * A camera of the station's settings, beside its main one. Without the classic detector's options:
 * their parsed form could not be saved and read back.
 */
export const stationCameraSchema = cameraEntrySchema.omit({ classic: true });

export const camerasFileSchema = z
  .object({
    /** Model of every camera that names none. */
    model: z.string().min(1, "must be a path to an .onnx file, or 'classic'").optional(),
    conf: threshold.optional(),
    iou: threshold.optional(),
    cameras: z
      .array(cameraEntrySchema, { message: 'is required: a list of cameras, each with a name and a source' })
      .min(1, 'needs at least one camera')
      .max(MAX_CAMERAS, `at most ${MAX_CAMERAS} cameras per station`),
  })
  .strict();

export interface CameraConfig {
  name: string;
  source: string;
  model: string;
  confThreshold: number;
  iouThreshold: number;
  classes: string[] | null;
  classConf: [string, number][];
  classic: ClassicDetectorOptionsInput | undefined;
  track: boolean;
  zones: ZoneSpec[];
  lines: LineSpec[];
  referencePoint: 'centre' | 'bottom-centre';
  plc: string | undefined;
  serial: string | undefined;
  /** Recipe id applied at start, or null. */
  recipe: string | null;
}

export class CamerasFileError extends Error {
  override name = 'CamerasFileError';
}

/** `cameras[1] ("right").plc`: where a problem is, as a person finds it in the file. */
function describePath(path: readonly PropertyKey[], input: unknown): string {
  let out = '';
  for (const [i, p] of path.entries()) {
    if (typeof p === 'number') {
      out += `[${p}]`;
      if (i === 1 && path[0] === 'cameras') {
        const name = (input as { cameras?: { name?: unknown }[] }).cameras?.[p]?.name;
        if (typeof name === 'string') out += ` ("${name}")`;
      }
    } else out += out ? `.${String(p)}` : String(p);
  }
  return out || 'the file';
}

export interface CamerasFileDefaults {
  confThreshold: number;
  iouThreshold: number;
  /** Makes a relative model path absolute (relative to the cameras file). */
  resolveModel: (path: string) => string;
}

/**
 * Validates a parsed cameras file. Throws CamerasFileError with one line: the field and what to
 * do. Checks that need no device: names unique, a model for every camera, lines only with
 * tracking, and the classic settings only for classic cameras.
 */
export function parseCamerasFile(input: unknown, defaults: CamerasFileDefaults): CameraConfig[] {
  const r = camerasFileSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CamerasFileError(`${describePath(issue.path, input)}: ${issue.message}`);
  }
  const file = r.data;
  const seen = new Map<string, number>();
  return file.cameras.map((c, i) => {
    const where = `cameras[${i}] ("${c.name}")`;
    const first = seen.get(c.name);
    if (first !== undefined)
      throw new CamerasFileError(`${where}.name: cameras[${first}] has the same name; names must differ`);
    seen.set(c.name, i);
    const model = c.model ?? file.model;
    if (!model)
      throw new CamerasFileError(
        `${where}: no model; give "model" for this camera, or one at the top of the file for every camera`,
      );
    if (c.lines.length > 0 && !c.track)
      throw new CamerasFileError(
        `${where}.lines: counting lines need "track": true (a crossing is a track changing side)`,
      );
    if (c.classic && model !== 'classic')
      throw new CamerasFileError(
        `${where}.classic: sets the classic detector, but the camera's model is not 'classic'`,
      );
    return {
      name: c.name,
      source: c.source,
      model: model === 'classic' ? model : defaults.resolveModel(model),
      confThreshold: c.conf ?? file.conf ?? defaults.confThreshold,
      iouThreshold: c.iou ?? file.iou ?? defaults.iouThreshold,
      classes: c.classes ?? null,
      classConf: Object.entries(c.classConf ?? {}),
      classic: c.classic,
      track: c.track,
      zones: c.zones,
      lines: c.lines,
      referencePoint: c.referencePoint,
      plc: c.plc,
      serial: c.serial,
      recipe: c.recipe ?? null,
    };
  });
}

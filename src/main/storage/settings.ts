/**
 * The station's saved settings (source, model, PLC link, thresholds, UI language), one JSON file in
 * the user's data folder, validated on read and written atomically.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { NETWORK_PROTOCOLS } from '../capture/source-uri';
import { homographySchema } from '../core/calibration';
import { MAX_CAMERAS, stationCameraSchema } from '../core/cameras-file';
import { trackingSettingsSchema } from '../core/counting/specs';
import { shiftScheduleSchema } from '../core/shifts';
import {
  classFilterSchema,
  describeIssue,
  handshakeModeSchema,
  liveViewModeSchema,
  localeSchema,
  maxObjectsSchema,
  providerSchema,
  thresholdSchema,
} from '../../shared/schema';
import { DEFAULT_INTEGRATION_SETTINGS } from '../../shared/integration';
import { integrationSettingsSchema } from '../../shared/integration-schema';
import { writeFileAtomic } from './atomic-file';

const ParamsSchema = z
  .object({
    confThreshold: thresholdSchema.default(0.25),
    iouThreshold: thresholdSchema.default(0.45),
    classFilter: classFilterSchema.default(null),
  })
  .strict();

export const SettingsSchema = z
  .object({
    version: z.literal(1).default(1),
    /** null: the demo clip (resources/demo) until the user picks a camera. */
    source: z.string().min(1).nullable().default(null).describe('source URI, or null for the demo clip'),
    /** Library id: `classic` or an .onnx path; null picks the best available. */
    modelId: z.string().min(1).nullable().default(null),
    provider: providerSchema.default('cpu'),
    plc: z
      .object({
        uri: z
          .string()
          .min(1)
          .nullable()
          .default('sim')
          .describe("s7://HOST[:PORT]?rack=0&slot=1&db=N, 'sim', or null for off"),
        handshake: handshakeModeSchema.default('free-run'),
        maxObjects: maxObjectsSchema.default(16),
        homographyPxToMm: homographySchema
          .nullable()
          .default(null)
          .describe('pixel → mm calibration for PLC and serial positions; null writes pixels'),
      })
      .strict()
      .prefault({}),
    params: ParamsSchema.prefault({}),
    /** The values in force before the last change, for "restore last applied". */
    previousParams: ParamsSchema.nullable().default(null),
    ui: z
      .object({
        locale: localeSchema.default('en'),
        liveViewMode: liveViewModeSchema.default('inference-first'),
      })
      .strict()
      .prefault({}),
    /** PLC recipe slot (as a string key) → model id. */
    recipes: z.record(z.string().regex(/^[1-9]\d*$/), z.string().min(1)).default({}),
    /**
     * What the UI and API may choose as a source, beyond the defaults (demo and recordings folders,
     * rtsp and rtsps). Only an engineer editing this file (or serve's flags) widens it.
     */
    media: z
      .object({
        dirs: z.array(z.string().min(1).max(4096)).max(64).default([]).describe('absolute media folders'),
        allowSchemes: z.array(z.enum(NETWORK_PROTOCOLS)).max(NETWORK_PROTOCOLS.length).default([]),
      })
      .strict()
      .prefault({}),
    /** The Electron window full screen with no menu, for a plant panel (also `--kiosk`). */
    kiosk: z.boolean().default(false),
    /** Seconds below the FPS target before the alarm is raised. */
    fpsAlarmAfterS: z.number().min(1).max(3600).default(10),
    /** Tracking (on in the app), zones and counting lines; counters are kept in counters.json. */
    tracking: trackingSettingsSchema.prefault({}),
    /** Recording of the live line into DATA_DIR/recordings/live (the Review tab replays it). */
    recording: z
      .object({
        enabled: z.boolean().default(false),
        /** Retention: the oldest segments go first beyond this total size or age. */
        maxGb: z.number().min(0.01).max(1_000_000).default(10),
        maxDays: z.number().min(0.01).max(36_500).default(7),
        segmentS: z.number().int().min(1).max(3600).default(60),
        /** Nominal frame rate of the video files (playback speed); times come from the index. */
        fps: z.number().int().min(1).max(120).default(10),
        /** Candidates from this score up to the threshold are kept as doubtful (null: none). */
        doubtfulMin: thresholdSchema.nullable().default(0.1),
        /** A detection of one of these classes opens an event. */
        eventClasses: z.array(z.string().min(1).max(64)).max(64).default([]),
      })
      .strict()
      .prefault({}),
    /** MQTT publishing and the OPC UA server, as the administrator set them in the app. */
    integration: integrationSettingsSchema.prefault(DEFAULT_INTEGRATION_SETTINGS),
    /** Shifts for the per-shift part counts (shift-counts.json). */
    shifts: shiftScheduleSchema.prefault({}),
    /** Cameras beside the main one, each as in a cameras file (run --cameras); none by default. */
    cameras: z
      .array(stationCameraSchema)
      .max(MAX_CAMERAS - 1)
      .default([]),
  })
  .strict();

export type Settings = z.output<typeof SettingsSchema>;

/** The file's valid sections, with the named ones (which failed validation) at their defaults. */
export interface RecoveredSettings {
  settings: Settings;
  /** Top-level sections reset to their defaults, in the order found. */
  reset: string[];
}

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(
    message: string,
    options?: { cause?: unknown },
    /** Set when only some sections are invalid: the rest of the file, usable as it is. */
    readonly recovered: RecoveredSettings | null = null,
  ) {
    super(message, options);
  }
}

/**
 * One bad section (a camera entry a newer model list no longer accepts, a hand-edited threshold)
 * must not cost the PLC link, the calibration and everything else: sections that fail are set to
 * their defaults, one at a time, and the rest is kept. Unknown sections are dropped. A file of
 * another version is not recovered (its sections may mean something else).
 */
export function recoverSections(raw: unknown): RecoveredSettings | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const obj: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const reset: string[] = [];
  // Each pass removes at least one key, so this ends within the number of keys.
  for (let pass = 0; pass <= Object.keys(raw).length; pass++) {
    const r = SettingsSchema.safeParse(obj);
    if (r.success) return reset.length > 0 ? { settings: r.data, reset } : null;
    const issue = r.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : [issue.path[0]];
    for (const key of keys) {
      if (typeof key !== 'string' || key === 'version' || !(key in obj)) return null;
      delete obj[key];
      reset.push(key);
    }
  }
  return null;
}

export async function loadSettings(path: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return SettingsSchema.parse({});
    throw new SettingsError(`cannot read settings ${path}: ${(e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`settings ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const r = SettingsSchema.safeParse(raw);
  if (!r.success) {
    throw new SettingsError(`settings ${path}: ${describeIssue(r.error)}`, undefined, recoverSections(raw));
  }
  return r.data;
}

export async function saveSettings(path: string, settings: Settings): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(SettingsSchema.parse(settings), null, 2) + '\n');
}

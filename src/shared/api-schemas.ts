/** Runtime validation of every API request crossing a process or network boundary. */
import { z } from 'zod';
import type { ApiArgs, ApiMethod, DetectImageRequest } from './api';
import { API_METHODS } from './api';
import {
  classFilterSchema,
  describeIssue,
  handshakeModeSchema,
  liveViewModeSchema,
  localeSchema,
  maxObjectsSchema,
  thresholdSchema,
} from './schema';
import { setIntegrationRequestSchema } from './integration-schema';

export const MAX_IMAGE_BYTES = 12 * 1024 * 1024;

export const DetectImageRequestSchema = z
  .object({
    imageBytes: z
      .instanceof(Uint8Array)
      .refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, 'image must be 1 byte to 12 MiB'),
    conf: thresholdSchema.optional(),
    iou: thresholdSchema.optional(),
  })
  .strict() satisfies z.ZodType<DetectImageRequest>;

const TuningSchema = z
  .object({
    confThreshold: thresholdSchema,
    iouThreshold: thresholdSchema,
    classFilter: classFilterSchema,
  })
  .partial()
  .strict();

const uri = z.string().trim().min(1, 'must not be empty').max(2048, 'is too long');

/** A recording by its id from listRecordings (`recordings/NAME` or `videos/FILE`); the station checks it is listed. */
const recordingId = z
  .string()
  .min(1, 'must not be empty')
  .max(300, 'is too long')
  .regex(/^(recordings|videos)\/[^/\\]+$/, 'must be an id from the list of recordings');
const trackName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be 1-64 letters, digits, _ . - (starting with a letter or digit)',
  );
const timeMs = z.number().finite().min(-8.64e15).max(8.64e15);
const reviewTarget = { recording: recordingId, track: trackName };
// --- commissioning: shapes only; the station validates meaning with the core schemas
const recipeId = z.string().min(1).max(64);
const recipeName = z.string().trim().min(1, 'a recipe needs a name').max(80, 'is at most 80 characters');
const username = z.string().min(1).max(32);
const roleSchema = z.enum(['operator', 'engineer', 'administrator']);
const secretKind = z.enum(['pin', 'password']);
const secret = z.string().min(1).max(128);
const xy = z.tuple([z.number().finite(), z.number().finite()]);
const calibrationPoints = z.array(z.object({ pixel: xy, mm: xy }).strict()).max(200);
const optionalNumber = z.number().finite().min(0).nullable();
const ClassLimitsViewSchema = z
  .object({
    classes: z.record(
      z.string().min(1).max(256),
      z
        .object({
          enabled: z.boolean(),
          confThreshold: thresholdSchema.nullable(),
          areaUnit: z.enum(['px', 'mm2']),
          minArea: optionalNumber,
          maxArea: optionalNumber,
          minAspect: optionalNumber,
          maxAspect: optionalNumber,
          sendToPlc: z.boolean(),
        })
        .strict(),
    ),
    othersEnabled: z.boolean(),
  })
  .strict();
const zoneList = z
  .array(
    z
      .object({
        kind: z.enum(['include', 'exclude']),
        name: z.string().min(1).max(64).optional(),
        polygon: z.array(z.tuple([z.number().finite(), z.number().finite()])).max(256),
      })
      .strict(),
  )
  .max(32);
const lineList = z
  .array(
    z
      .object({
        name: z.string().max(32),
        x1: z.number().finite(),
        y1: z.number().finite(),
        x2: z.number().finite(),
        y2: z.number().finite(),
      })
      .strict(),
  )
  .max(8);
const auditFilter = z
  .object({
    user: z.string().min(1).max(64).optional(),
    method: z.string().min(1).max(64).optional(),
    fromMs: z.number().int().min(0).optional(),
    toMs: z.number().int().min(0).optional(),
  })
  .strict();

/** Argument tuples per method; the type makes a schema for every method of the API mandatory. */
export const API_ARGS: { [M in ApiMethod]: z.ZodType<ApiArgs<M>> } = {
  getAppInfo: z.tuple([]),
  detectImage: z.tuple([DetectImageRequestSchema]),
  getSnapshot: z.tuple([]),
  listModels: z.tuple([]),
  swapModel: z.tuple([z.object({ id: z.string().min(1).max(4096) }).strict()]),
  setParams: z.tuple([TuningSchema]),
  restoreParams: z.tuple([]),
  setSource: z.tuple([z.object({ uri }).strict()]),
  setPlc: z.tuple([
    z
      .object({
        uri: uri.nullable(),
        handshake: handshakeModeSchema.optional(),
        maxObjects: maxObjectsSchema.optional(),
      })
      .strict(),
  ]),
  acknowledgeAlarm: z.tuple([z.object({ id: z.number().int().min(1) }).strict()]),
  getAlarmJournal: z.tuple([]),
  getHistory: z.tuple([]),
  setUiSettings: z.tuple([
    z.object({ locale: localeSchema, liveViewMode: liveViewModeSchema }).partial().strict(),
  ]),
  startEvaluation: z.tuple([
    z
      .object({
        dataPath: z.string().trim().min(1, 'must not be empty').max(4096, 'is too long'),
        modelIds: z
          .array(z.string().min(1).max(4096))
          .min(1, 'choose at least one model')
          .max(16, 'at most 16 models per run'),
      })
      .strict(),
  ]),
  cancelEvaluation: z.tuple([]),
  getEvaluation: z.tuple([]),
  getTracking: z.tuple([]),
  // The shape only; the station checks the geometry (3+ corners, distinct ends, unique names).
  setTracking: z.tuple([
    z
      .object({
        referencePoint: z.enum(['centre', 'bottom-centre']),
        zones: z
          .array(
            z
              .object({
                kind: z.enum(['include', 'exclude']),
                name: z.string().min(1).max(64).optional(),
                polygon: z.array(z.tuple([z.number().finite(), z.number().finite()])).max(256),
              })
              .strict(),
          )
          .max(32),
        lines: z
          .array(
            z
              .object({
                name: z.string().max(32),
                x1: z.number().finite(),
                y1: z.number().finite(),
                x2: z.number().finite(),
                y2: z.number().finite(),
              })
              .strict(),
          )
          .max(8),
      })
      .partial()
      .strict(),
  ]),
  resetCounters: z.tuple([]),
  listRecordings: z.tuple([]),
  getRecordingInfo: z.tuple([z.object({ recording: recordingId }).strict()]),
  getReviewTimeline: z.tuple([
    z
      .object({ ...reviewTarget, fromMs: timeMs, toMs: timeMs, buckets: z.number().int().min(1).max(2000) })
      .strict()
      .refine((r) => r.toMs >= r.fromMs, 'toMs must not be before fromMs'),
  ]),
  getReviewEvents: z.tuple([z.object(reviewTarget).strict()]),
  getReviewFrame: z.tuple([
    z.object({ ...reviewTarget, timeMs, step: z.number().int().min(-1000).max(1000) }).strict(),
  ]),
  startRerun: z.tuple([
    z
      .object({
        recording: recordingId,
        modelId: z.string().min(1).max(4096),
        confThreshold: thresholdSchema,
        iouThreshold: thresholdSchema,
        out: trackName,
        doubtfulMin: thresholdSchema.optional(),
      })
      .strict(),
  ]),
  cancelRerun: z.tuple([]),
  getRerun: z.tuple([]),
  compareTracks: z.tuple([
    z
      .object({
        recording: recordingId,
        a: trackName,
        b: trackName,
        matchIou: z.number().min(0.01).max(1).optional(),
        movedIou: z.number().min(0.01).max(1).optional(),
      })
      .strict(),
  ]),
  exportRecording: z.tuple([
    z
      .object({
        ...reviewTarget,
        format: z.enum(['csv', 'jsonl', 'coco', 'yolo', 'labelstudio']),
        fromMs: timeMs.optional(),
        toMs: timeMs.optional(),
        eventId: z.number().int().min(1).optional(),
        doubtful: z.boolean().optional(),
        classes: z.array(z.string().min(1).max(128)).max(1000).optional(),
      })
      .strict(),
  ]),
  getRecording: z.tuple([]),
  setRecording: z.tuple([
    z
      .object({
        enabled: z.boolean(),
        maxGb: z.number().min(0.01).max(1_000_000),
        maxDays: z.number().min(0.01).max(36_500),
        doubtfulMin: thresholdSchema.nullable(),
        eventClasses: z.array(z.string().min(1).max(64)).max(64),
      })
      .partial()
      .strict(),
  ]),
  login: z.tuple([z.object({ username, secret }).strict()]),
  logout: z.tuple([]),
  whoAmI: z.tuple([]),
  getCommissioning: z.tuple([]),
  listRecipes: z.tuple([]),
  getRecipe: z.tuple([z.object({ id: recipeId }).strict()]),
  activateRecipe: z.tuple([
    z
      .object({
        id: recipeId,
        camera: z
          .string()
          .regex(
            /^[A-Za-z0-9_.-]{1,32}$/,
            'is a camera name from listCameras (1 to 32 letters, digits, _ . or -)',
          )
          .optional(),
      })
      .strict(),
  ]),
  createRecipe: z.tuple([z.object({ name: recipeName }).strict()]),
  saveRecipe: z.tuple([z.object({ id: recipeId }).strict()]),
  renameRecipe: z.tuple([z.object({ id: recipeId, name: recipeName }).strict()]),
  duplicateRecipe: z.tuple([z.object({ id: recipeId, name: recipeName.optional() }).strict()]),
  deleteRecipe: z.tuple([z.object({ id: recipeId }).strict()]),
  exportRecipe: z.tuple([z.object({ id: recipeId }).strict()]),
  importRecipe: z.tuple([
    z
      .object({
        text: z
          .string()
          .min(1)
          .max(2 * 1024 * 1024),
      })
      .strict(),
  ]),
  approveRecipe: z.tuple([z.object({ id: recipeId, approved: z.boolean() }).strict()]),
  assignRecipeSlot: z.tuple([
    z.object({ id: recipeId, slot: z.number().int().min(1).max(32767).nullable() }).strict(),
  ]),
  setClassLimits: z.tuple([ClassLimitsViewSchema]),
  setZones: z.tuple([z.object({ zones: zoneList }).strict()]),
  setCountingLines: z.tuple([z.object({ lines: lineList }).strict()]),
  solveCalibration: z.tuple([
    z
      .object({
        points: calibrationPoints,
        grid: z
          .object({
            widthPx: z.number().int().min(1).max(100_000),
            heightPx: z.number().int().min(1).max(100_000),
            spacingMm: z.number().finite().positive().max(100_000),
          })
          .strict()
          .optional(),
      })
      .strict(),
  ]),
  setCalibration: z.tuple([z.object({ points: calibrationPoints.nullable() }).strict()]),
  listUsers: z.tuple([]),
  createUser: z.tuple([z.object({ username, role: roleSchema, kind: secretKind, secret }).strict()]),
  setUserRole: z.tuple([z.object({ username, role: roleSchema }).strict()]),
  setUserSecret: z.tuple([z.object({ username, kind: secretKind, secret }).strict()]),
  deleteUser: z.tuple([z.object({ username }).strict()]),
  queryAudit: z.tuple([auditFilter.extend({ limit: z.number().int().min(1).max(100_000).optional() })]),
  exportAuditCsv: z.tuple([auditFilter]),
  verifyAudit: z.tuple([]),
  deleteModel: z.tuple([z.object({ id: z.string().min(1).max(4096) }).strict()]),
  leaveKiosk: z.tuple([z.object({ action: z.enum(['exitKiosk', 'quit']) }).strict()]),
  importModel: z.tuple([
    z
      .object({
        fileName: z
          .string()
          .regex(/^[^/\\\0]{1,200}\.onnx$/i, 'a model file name ends in .onnx and has no folder'),
        bytes: z
          .instanceof(Uint8Array)
          .refine(
            (b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES,
            'a model upload is 1 byte to 12 MiB',
          ),
      })
      .strict(),
  ]),
  getIntegration: z.tuple([]),
  setIntegration: z.tuple([setIntegrationRequestSchema]),
  getFleet: z.tuple([]),
  getShiftCounts: z.tuple([]),
  // The shape only; the station checks the times, names and time zone.
  setShiftSchedule: z.tuple([
    z
      .object({
        shifts: z.array(z.object({ name: z.string().max(64), start: z.string().max(16) }).strict()).max(24),
        timeZone: z.string().max(64).nullable(),
        keepDays: z.number().int(),
      })
      .partial()
      .strict(),
  ]),
  listCameras: z.tuple([]),
  getCameraPreview: z.tuple([z.object({ name: z.string().min(1).max(64) }).strict()]),
  // Each camera is validated by the station against the cameras-file schema (src/main/core).
  setCameras: z.tuple([z.object({ cameras: z.array(z.unknown()).max(16) }).strict()]),
  getCameraSettings: z.tuple([]),
};

export const WsRequestSchema = z
  .object({
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    method: z.enum(API_METHODS),
    args: z.array(z.unknown()).max(4),
  })
  .strict();

/** First problem of a failed parse, as one line. */
export function firstIssue(error: z.ZodError): string {
  return describeIssue(error, (p) => (p.length ? p.map(String).join('.') : 'arguments'));
}

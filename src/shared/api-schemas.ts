/** Runtime validation of every API request crossing a process or network boundary. */
import { z } from 'zod';
import type { ApiArgs, ApiMethod, DetectImageRequest } from './api';
import { API_METHODS } from './api';
import {
  classFilterSchema,
  describeIssue,
  handshakeModeSchema,
  localeSchema,
  maxObjectsSchema,
  thresholdSchema,
} from './schema';

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
  setUiSettings: z.tuple([z.object({ locale: localeSchema }).partial().strict()]),
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

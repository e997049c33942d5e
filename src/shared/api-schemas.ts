/** Runtime validation of every API request crossing a process or network boundary. */
import { z } from 'zod';
import type { ApiMethod, DetectImageRequest } from './api';

export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

export const DetectImageRequestSchema = z
  .object({
    imageBytes: z
      .instanceof(Uint8Array)
      .refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, 'image must be 1 byte to 50 MiB'),
    conf: z.number().min(0).max(1).optional(),
    iou: z.number().min(0).max(1).optional(),
  })
  .strict() satisfies z.ZodType<DetectImageRequest>;

/** Argument tuples per method. */
export const API_ARGS = {
  getAppInfo: z.tuple([]),
  detectImage: z.tuple([DetectImageRequestSchema]),
} satisfies Record<ApiMethod, z.ZodType>;

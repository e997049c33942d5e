/**
 * Options of the classic (background-subtraction) detector: one strict schema with bounds and
 * descriptions, so the config file, the CLI and the UI all validate the same way and the UI can
 * show the descriptions as help text.
 */
import { z } from 'zod';

/** Sum of |ΔR| + |ΔG| + |ΔB| can reach 3 × 255. */
export const CLASSIC_MAX_DIFF = 765;

const oddKernel = (defaultPx: number, what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(15)
    .refine((v) => v % 2 === 1, { message: 'must be odd (1, 3, 5, ...) so the kernel has a centre' })
    .default(defaultPx)
    .describe(`${what} Square kernel side in processing pixels (see maxProcessingWidthPx); 1 turns it off.`);

export const classicDetectorOptionsSchema = z
  .object({
    learnFrames: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(15)
      .describe(
        'Frames used to learn the background (per-pixel median) before detection starts. The median ignores parts that pass ' +
          'through, as long as each pixel shows the empty belt in more than half of these frames. Ignored after setReferenceFrame().',
      ),
    diffThreshold: z
      .number()
      .int()
      .min(1)
      .max(CLASSIC_MAX_DIFF)
      .default(60)
      .describe(
        'A processing pixel is foreground when |ΔR| + |ΔG| + |ΔB| against the background (0..765) reaches this. ' +
          'Lower finds low-contrast parts but also shadows and noise.',
      ),
    openKernelPx: oddKernel(3, 'Morphological opening (erode then dilate) removes specks and thin streaks.'),
    closeKernelPx: oddKernel(
      5,
      'Morphological closing (dilate then erode) joins the fragments of one part and fills small gaps.',
    ),
    minAreaPx: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .default(300)
      .describe('Smallest object kept, in full-frame pixels.'),
    maxAreaPx: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .default(100_000_000)
      .describe(
        'Largest object kept, in full-frame pixels (a lighting change that flips the whole frame is dropped by this).',
      ),
    maxProcessingWidthPx: z
      .number()
      .int()
      .min(32)
      .max(3840)
      .default(320)
      .describe(
        'The frame is averaged down by an integer factor until it is at most this wide before any processing; boxes and masks ' +
          'are mapped back to full-frame pixels. Smaller is faster and smoother; larger gives finer outlines.',
      ),
    maxDetections: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe('At most this many objects per frame, largest first.'),
    classId: z.number().int().min(0).max(32767).default(0).describe('Class id reported for every object.'),
    className: z.string().min(1).max(64).default('object').describe('Class name reported for every object.'),
    includeRle: z
      .boolean()
      .default(true)
      .describe('Attach each mask as RLE (for the UI overlay); off saves memory when only boxes matter.'),
  })
  .strict()
  .refine((o) => o.minAreaPx <= o.maxAreaPx, {
    message: 'minAreaPx must not exceed maxAreaPx',
    path: ['minAreaPx'],
  });

/** What callers may pass (every field optional). */
export type ClassicDetectorOptionsInput = z.input<typeof classicDetectorOptionsSchema>;
/** Validated options with defaults filled in. */
export type ClassicDetectorOptions = z.output<typeof classicDetectorOptionsSchema>;

/** Validates and fills defaults; throws a RangeError naming the first bad field. */
export function parseClassicDetectorOptions(input: unknown = {}): ClassicDetectorOptions {
  const result = classicDetectorOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'options';
    throw new RangeError(`classic detector ${where}: ${issue.message}`);
  }
  return result.data;
}

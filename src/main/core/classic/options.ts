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
    adaptRate: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.05)
      .describe(
        'Share of each frame blended into the background where no object is (running average), so the background ' +
          'follows slow lighting drift. Pixels covered by an object are not updated: a part that stops is not absorbed. 0 keeps ' +
          'the learned background fixed.',
      ),
    gainCompensation: z
      .boolean()
      .default(true)
      .describe(
        'Scale the background per colour channel by the median brightness ratio of frame to background before comparing, ' +
          'so a global exposure or lighting change is not seen as objects (objects must cover less than half the frame).',
      ),
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

/** Command-line names that differ from the option names. */
const CLI_ALIASES: Readonly<Record<string, string>> = { threshold: 'diffThreshold' };

/**
 * `learnFrames=N,threshold=T,minAreaPx=A,maxAreaPx=B` (any option by name; `threshold` is
 * diffThreshold) → options input; values are numbers, or true/false for switches. The result still
 * goes through parseClassicDetectorOptions; this only splits the text.
 */
export function parseClassicOptionsArg(text: string): ClassicDetectorOptionsInput {
  const out: Record<string, number | boolean | string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m)
      throw new RangeError(`classic option '${part}' must be NAME=VALUE (e.g. learnFrames=15,threshold=60)`);
    const name = CLI_ALIASES[m[1]] ?? m[1];
    const raw = m[2];
    out[name] =
      raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  return parseClassicDetectorOptions(out);
}

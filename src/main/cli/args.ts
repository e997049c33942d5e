/** Command-line parsing shared by every command: strict flags, one clear line on bad input. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { describeIssue, providerSchema } from '../../shared/schema';

/** Bad command-line input; the CLI prints the message as one line and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals: boolean,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: joinNegativeValues(argv, options), allowPositionals, options, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    // Node's messages are good ("Unknown option '--x'") but multi-line; keep the first line.
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

/**
 * `--conf -1` means the value -1, but node's parseArgs reads "-1" as an option and fails with
 * "argument is ambiguous"; joined as `--conf=-1` it reaches validation, which says what is wrong.
 */
export function joinNegativeValues(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (
      name !== null &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-(\d|\.\d|Infinity$)/.test(next)
    ) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Validate parsed flag values with a zod schema; the first problem becomes the message. */
export function validateFlags<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const r = schema.safeParse(values);
  if (!r.success) {
    throw new UsageError(describeIssue(r.error, (p) => (p.length > 0 ? `--${String(p[0])}` : 'arguments')));
  }
  return r.data;
}

/** A flag that must have a value (`--plc ""` is a mistake, not "no PLC"). */
export const textFlag = () => z.string().trim().min(1, 'must not be empty');

/** A number flag given as a string, e.g. `--conf 0.3`; an empty value is an error, not 0. */
export const numberFlag = (min: number, max: number) =>
  z
    .string({ message: 'must be a number' })
    .trim()
    .min(1, 'must not be empty (give a number)')
    .transform(Number)
    .refine((n) => Number.isFinite(n), 'must be a number')
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

export const intFlag = (min: number, max: number) =>
  numberFlag(min, max).refine((n) => Number.isInteger(n), 'must be a whole number');

/** Write one complete line to a stream in a single write, so a reader never sees half a result. */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(line + '\n');
}

/** Flags every inference command shares: thresholds, execution provider and threads. */
export const inferenceFlagFields = {
  conf: numberFlag(0, 1).default(0.25),
  iou: numberFlag(0, 1).default(0.45),
  provider: providerSchema.default('cpu'),
  threads: intFlag(0, 256).default(0),
};

/** `--parallel-frames N` of the commands that run the pipeline (run, bench); absent: automatic. */
export const parallelFramesFlag = intFlag(1, 16).optional();

export const inferenceFlagOptions = {
  conf: { type: 'string' },
  iou: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const;

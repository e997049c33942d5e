import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  intFlag,
  parseFlags,
  textFlag,
  validateFlags,
} from '../../src/main/cli/args';

export const CLI_FLAG_RUNS = 1000;

const OPTIONS = {
  ...inferenceFlagOptions,
  frames: { type: 'string' },
  plc: { type: 'string' },
  json: { type: 'boolean' },
  recipe: { type: 'string', multiple: true },
} as const;
const Flags = z.object({
  ...inferenceFlagFields,
  frames: intFlag(1, 10_000_000).optional(),
  plc: textFlag().optional(),
  json: z.boolean().default(false),
  recipe: z.array(z.string()).default([]),
});

const token = fc.oneof(
  fc.constantFrom(
    '--conf',
    '--iou',
    '--provider',
    '--threads',
    '--frames',
    '--plc',
    '--json',
    '--recipe',
    '--nope',
    '-x',
    '--',
    '--conf=',
  ),
  fc.constantFrom(
    '',
    '-1',
    '-0.5',
    '0.3',
    '1e3',
    'NaN',
    'Infinity',
    ' ',
    'cpu',
    'cuda',
    '2=a.onnx',
    '--json=1',
    '-5',
    '.5',
    '-.5',
  ),
  fc.string({ maxLength: 10 }),
  fc.double().map(String),
);

describe('fuzz: command-line flags', () => {
  it(`argv either validates to in-range values or gives one UsageError line (${CLI_FLAG_RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        let flags: z.infer<typeof Flags>;
        try {
          flags = validateFlags(Flags, parseFlags(argv, OPTIONS, true).values);
        } catch (e) {
          expect((e as Error).name).toBe('UsageError');
          expect((e as Error).message.length).toBeGreaterThan(0);
          expect((e as Error).message.split('\n')).toHaveLength(1);
          return;
        }
        expect(flags.conf >= 0 && flags.conf <= 1).toBe(true);
        expect(flags.iou >= 0 && flags.iou <= 1).toBe(true);
        expect(['cpu', 'cuda', 'tensorrt']).toContain(flags.provider);
        expect(Number.isInteger(flags.threads) && flags.threads >= 0).toBe(true);
        if (flags.frames !== undefined)
          expect(Number.isInteger(flags.frames) && flags.frames >= 1).toBe(true);
        if (flags.plc !== undefined) expect(flags.plc.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: CLI_FLAG_RUNS },
    );
  });

  it('an empty or negative number is never read as a valid value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('--conf', '--iou', '--frames'),
        fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
        (flag, v) => {
          for (const argv of [[flag, String(v)], [`${flag}=${v}`], [flag, '']]) {
            expect(() => validateFlags(Flags, parseFlags(argv, OPTIONS, false).values)).toThrow(
              new RegExp(`^${flag}: must`),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * `plc-layout [--format scl|json|md] [--version 1|2] [--max-objects 16] [--start-offset 0] [--db-name VisionStation]`
 * Prints the PLC data block layout: a TIA Portal SCL source, JSON, or a Markdown table.
 */
import { z } from 'zod';
import { DEFAULT_MAX_OBJECTS, MAX_MAX_OBJECTS } from '../../shared/plc-layout';
import { generateLayout } from '../core/plc/scl';
import { UsageError, intFlag, parseFlags, validateFlags, writeLine } from './args';

const flagSchema = z.object({
  format: z.enum(['scl', 'json', 'md'], { message: 'must be scl, json or md' }).default('md'),
  version: z.enum(['1', '2'], { message: 'must be 1 or 2' }).default('1'),
  'max-objects': intFlag(1, MAX_MAX_OBJECTS).default(DEFAULT_MAX_OBJECTS),
  'start-offset': intFlag(0, 65534)
    .refine((n) => n % 2 === 0, 'must be even')
    .default(0),
  'db-name': z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _)')
    .default('VisionStation'),
});

export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  try {
    const { values } = parseFlags(
      argv,
      {
        format: { type: 'string' },
        version: { type: 'string' },
        'max-objects': { type: 'string' },
        'start-offset': { type: 'string' },
        'db-name': { type: 'string' },
      },
      false,
    );
    const flags = validateFlags(flagSchema, values);
    const text = generateLayout(flags.format, {
      maxObjects: flags['max-objects'],
      startOffsetBytes: flags['start-offset'],
      dbName: flags['db-name'],
      version: flags.version === '2' ? 2 : 1,
    });
    // One write, so a reader never sees half a document.
    stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  } catch (e) {
    writeLine(stderr, `plc-layout: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/**
 * `plc-sim [--port 102] [--db 1] [--max-objects 16] [--start-offset 0] [--mode free-run|ack|trigger]
 *          [--trigger-interval-ms 500] [--ack-delay-ms 0] [--host 127.0.0.1] [--layout 1|2]`
 * An S7 PLC simulator printing each decoded block it receives as one JSON line on stdout.
 * Runs until SIGINT/SIGTERM (or the signal passed in); status goes to stderr.
 */
import { z } from 'zod';
import { DEFAULT_MAX_OBJECTS, MAX_MAX_OBJECTS, blockSizeBytes } from '../../shared/plc-layout';
import { PlcSim, simFrameToJson } from '../plc/plc-sim';
import { HANDSHAKE_MODES } from '../plc/plc-config';
import { UsageError, intFlag, parseFlags, validateFlags, writeLine } from './args';

const flagSchema = z.object({
  port: intFlag(1, 65535).default(102),
  db: intFlag(1, 65535).default(1),
  'max-objects': intFlag(1, MAX_MAX_OBJECTS).default(DEFAULT_MAX_OBJECTS),
  'start-offset': intFlag(0, 65534)
    .refine((n) => n % 2 === 0, 'must be even')
    .default(0),
  mode: z
    .enum(HANDSHAKE_MODES, { message: `must be one of ${HANDSHAKE_MODES.join(', ')}` })
    .default('free-run'),
  'trigger-interval-ms': intFlag(10, 3_600_000).default(500),
  'ack-delay-ms': intFlag(0, 60_000).default(0),
  host: z.string().default('127.0.0.1'),
  // Layout 2 needs the counters area too: the DB is made that much larger.
  layout: z.enum(['1', '2'], { message: 'must be 1 or 2' }).default('1'),
});

export interface PlcSimCliIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Ends the simulator (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
  /** Called once listening (tests). */
  onListening?: (sim: PlcSim) => void;
}

export async function main(argv: string[], io: PlcSimCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let flags: z.infer<typeof flagSchema>;
  try {
    const { values } = parseFlags(
      argv,
      {
        port: { type: 'string' },
        db: { type: 'string' },
        'max-objects': { type: 'string' },
        'start-offset': { type: 'string' },
        mode: { type: 'string' },
        'trigger-interval-ms': { type: 'string' },
        'ack-delay-ms': { type: 'string' },
        host: { type: 'string' },
        layout: { type: 'string' },
      },
      false,
    );
    flags = validateFlags(flagSchema, values);
  } catch (e) {
    writeLine(stderr, `plc-sim: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
  const sim = new PlcSim({
    port: flags.port,
    host: flags.host,
    dbNumber: flags.db,
    maxObjects: flags['max-objects'],
    startOffsetBytes: flags['start-offset'],
    mode: flags.mode,
    triggerIntervalMs: flags['trigger-interval-ms'],
    ackDelayMs: flags['ack-delay-ms'],
    dbSizeBytes: flags['start-offset'] + blockSizeBytes(flags['max-objects'], flags.layout === '2' ? 2 : 1),
  });
  sim.on('frame', (f) => writeLine(stdout, simFrameToJson(f)));
  sim.on('recipeActive', (slot) => writeLine(stderr, `plc-sim: recipeActive = ${slot}`));
  sim.on('client', (c) => writeLine(stderr, `plc-sim: client ${c.event} ${c.address}`));
  sim.on('problem', (p) => writeLine(stderr, `plc-sim: ${p}`));
  try {
    await sim.start();
  } catch (e) {
    writeLine(stderr, `plc-sim: ${(e as Error).message}`);
    await sim.close();
    return 1;
  }
  writeLine(
    stderr,
    `plc-sim: listening on ${flags.host}:${flags.port}, DB${flags.db} (${sim.dbSizeBytes} bytes, layout v${flags.layout}, ` +
      `maxObjects ${flags['max-objects']}, start offset ${flags['start-offset']}), PLC side: ${flags.mode}`,
  );
  io.onListening?.(sim);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (io.signal?.aborted) done();
    else io.signal?.addEventListener('abort', done, { once: true });
  });
  await sim.close();
  return 0;
}

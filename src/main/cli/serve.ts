/**
 * `serve [--host 127.0.0.1] [--port N] [--token T] [--source URI] [--model PATH|classic]
 *  [--plc URI|sim|off] [--models-dir DIR] [--data-dir DIR]
 *  [--opcua PORT [--opcua-security none|production] [--opcua-pki DIR]]`
 * The station plus the web UI for a browser. Prints one line `{"listening":"http://..."}` when ready.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Station } from '../station/station';
import { startWebServer } from '../server/web-server';
import { createLogger } from '../logger';
import { intFlag, parseFlags, validateFlags, writeLine } from './args';
import { workerScriptPath } from '../inference/worker-path';
import { opcuaFlagFields, opcuaFlagOptions, opcuaFromFlags } from '../integration/opcua/opcua-flags';

const Flags = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: intFlag(0, 65535).default(8080),
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  source: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  plc: z.string().min(1).optional(),
  'models-dir': z.array(z.string().min(1)).default([]),
  'data-dir': z.string().min(1).default(join(homedir(), '.vision-station')),
  ...opcuaFlagFields,
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      source: { type: 'string' },
      model: { type: 'string' },
      plc: { type: 'string' },
      'models-dir': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      ...opcuaFlagOptions,
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  const logger = createLogger('serve');
  const log = (line: string): void => logger.info(line);
  const outDir = resolve(__dirname, '..');
  const station = new Station({
    version: process.env['npm_package_version'] ?? '0.1.0',
    dataDir: resolve(flags['data-dir']),
    projectModelsDir: resolve(outDir, '..', 'models'),
    extraModelsDirs: flags['models-dir'].map((d) => resolve(d)),
    workerPath: workerScriptPath(),
    log,
    overrides: {
      source: flags.source,
      model:
        flags.model === undefined ? undefined : flags.model === 'classic' ? 'classic' : resolve(flags.model),
      plc: flags.plc === undefined ? undefined : flags.plc === 'off' ? null : flags.plc,
    },
  });
  await station.start();
  let server;
  let opcua: { close(): Promise<void> } | null = null;
  try {
    const endpoint = opcuaFromFlags(flags, resolve(flags['data-dir']));
    if (endpoint) {
      const { startStationOpcUa } = await import('../integration/opcua/attach-station');
      opcua = await startStationOpcUa(endpoint, station, resolve(flags['data-dir']), log);
    }
    server = await startWebServer({
      station,
      host: flags.host,
      port: flags.port,
      token: flags.token,
      staticDir: resolve(outDir, 'renderer'),
      log,
    });
  } catch (e) {
    await opcua?.close();
    await station.close();
    throw e;
  }
  writeLine(process.stdout, JSON.stringify({ listening: server.url }));
  // `on`, not `once`: signal-exit (loaded with node-opcua) re-raises a signal when it sees no
  // other listener, and a `once` listener is already gone by then.
  let onSignal = (): void => undefined;
  await new Promise<void>((r) => {
    onSignal = r;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await server.close();
  await opcua?.close();
  await station.close();
  return 0;
}

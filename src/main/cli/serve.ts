/**
 * `serve [--host 127.0.0.1] [--port N] [--token T] [--source URI] [--model PATH|classic]
 *  [--plc URI|sim|off] [--models-dir DIR] [--data-dir DIR] [--media-dir DIR]... [--allow-scheme S]...
 *  [--mqtt URI] [--opcua PORT [--opcua-security none|production] [--opcua-pki DIR]] [--preview-fps N]`
 * The station plus the web UI for a browser. Prints one line `{"listening":"http://..."}` when ready.
 * --mqtt and --opcua win over the Integration settings saved in the app for this run (until an
 * administrator changes that part there); a broker that is away is retried, a port that cannot be
 * opened at start ends serve.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Station } from '../station/station';
import { startWebServer } from '../server/web-server';
import { createLogger } from '../logger';
import { stat } from 'node:fs/promises';
import { intFlag, parallelFramesFlag, parseFlags, UsageError, validateFlags, writeLine } from './args';
import { prepareDataDir } from './data-dir';
import { checkModelFile } from '../inference/model-file';
import { parsePlcUri } from '../plc/plc-config';
import { workerScriptPath } from '../inference/worker-path';
import { defaultSourcePolicy, type SourcePolicy } from '../capture/source-policy';
import { NETWORK_PROTOCOLS, parseSourceUri } from '../capture/source-uri';
import { opcuaFlagFields, opcuaFlagOptions, opcuaFromFlags } from './opcua-flags';
import { mqttUriFlag } from '../integration/mqtt/mqtt-config';

const Flags = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: intFlag(0, 65535).default(8080),
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  source: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  plc: z.string().min(1).optional(),
  'models-dir': z.array(z.string().min(1)).default([]),
  'data-dir': z.string().min(1).default(join(homedir(), '.vision-station')),
  'media-dir': z.array(z.string().min(1, 'must not be empty')).default([]),
  'allow-fallback': z.boolean().default(false),
  'allow-scheme': z
    .array(z.enum(NETWORK_PROTOCOLS, { message: `must be one of ${NETWORK_PROTOCOLS.join(', ')}` }))
    .default([]),
  mqtt: mqttUriFlag.optional(),
  'parallel-frames': parallelFramesFlag,
  /** Live-view pictures a second at most (see PreviewEncoder). */
  'preview-fps': intFlag(1, 30).optional(),
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
      'media-dir': { type: 'string', multiple: true },
      'allow-scheme': { type: 'string', multiple: true },
      'allow-fallback': { type: 'boolean' },
      mqtt: { type: 'string' },
      'parallel-frames': { type: 'string' },
      'preview-fps': { type: 'string' },
      ...opcuaFlagOptions,
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  const logger = createLogger('serve');
  const log = (line: string): void => logger.info(line);
  const outDir = resolve(__dirname, '..');
  const projectModelsDir = resolve(outDir, '..', 'models');
  const demoDir = resolve(outDir, '..', 'resources', 'demo');
  const modelPath =
    flags.model === undefined ? undefined : flags.model === 'classic' ? 'classic' : resolve(flags.model);
  // What the command line names is checked before anything starts, so a typo exits at once.
  await checkStartInputs(flags.source, modelPath, flags.plc, flags['allow-fallback']);
  const dataDir = await prepareDataDir(flags['data-dir']);
  const defaults = defaultSourcePolicy({ demoDir, dataDir });
  const sourcePolicy: SourcePolicy = {
    mediaDirs: [...defaults.mediaDirs, ...flags['media-dir'].map((d) => resolve(d))],
    networkSchemes: [...new Set([...defaults.networkSchemes, ...flags['allow-scheme']])],
  };
  const station = new Station({
    backend: 'websocket',
    version: process.env['npm_package_version'] ?? '0.1.0',
    dataDir,
    projectModelsDir,
    demoDir,
    sourcePolicy,
    extraModelsDirs: flags['models-dir'].map((d) => resolve(d)),
    workerPath: workerScriptPath(),
    log,
    parallelFrames: flags['parallel-frames'],
    previewMaxFps: flags['preview-fps'],
    overrides: {
      source: flags.source,
      model: modelPath,
      plc: flags.plc === undefined ? undefined : flags.plc === 'off' ? null : flags.plc,
      integration: { mqtt: flags.mqtt, opcua: opcuaFromFlags(flags, dataDir) },
    },
  });
  let server;
  try {
    await station.start();
    const active = (await station.getSnapshot()).model.active;
    const activeId = active === null ? null : active.family === 'classic' ? 'classic' : active.path;
    if (modelPath !== undefined && activeId !== modelPath && !flags['allow-fallback'])
      throw new Error(
        `--model ${flags.model} did not load (now running ${active?.name ?? 'nothing'}); see the log above, or pass --allow-fallback to start anyway`,
      );
    const opcua = (await station.getIntegration()).opcua;
    if (opcua.origin === 'command line' && opcua.state === 'failed')
      throw new Error(`--opcua: ${opcua.reason}`);
    server = await startWebServer({
      station,
      host: flags.host,
      port: flags.port,
      token: flags.token,
      staticDir: resolve(outDir, 'renderer'),
      log,
    });
  } catch (e) {
    await station.close();
    throw e;
  }
  writeLine(process.stdout, JSON.stringify({ listening: server.accessUrl }));
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
  await station.close();
  return 0;
}

/** A bad --source, --model or --plc ends serve at start, unless --allow-fallback is given. */
async function checkStartInputs(
  source: string | undefined,
  model: string | undefined,
  plc: string | undefined,
  allowFallback: boolean,
): Promise<void> {
  if (plc !== undefined && plc !== 'off') parsePlcUri(plc);
  if (source !== undefined) {
    const spec = parseSourceUri(source);
    const path = spec.kind === 'file' ? spec.path : spec.kind === 'images' ? spec.dir : null;
    const st = path === null ? null : await stat(path).catch(() => null);
    if (path !== null && !allowFallback) {
      if (st === null) throw new UsageError(`--source: ${path} does not exist`);
      if (spec.kind === 'file' && !st.isFile()) throw new UsageError(`--source: ${path} is not a file`);
      if (spec.kind === 'images' && !st.isDirectory())
        throw new UsageError(`--source: ${path} is not a directory`);
    }
  }
  if (model !== undefined && model !== 'classic' && !allowFallback)
    await checkModelFile(model).catch((e: unknown) => {
      throw new UsageError(`--model: ${(e as Error).message}`);
    });
}

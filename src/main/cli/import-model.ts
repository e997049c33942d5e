/**
 * `import-model PATH [--data-dir DIR]`: add a model to the user's library after loading it once;
 * a file that does not load is refused with the reason and nothing is added.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { InferenceEngine } from '../inference/engine';
import { ModelLibrary } from '../models/library';
import { parseFlags, UsageError, validateFlags, writeLine } from './args';
import { prepareDataDir } from './data-dir';
import { workerScriptPath } from '../inference/worker-path';

const Flags = z.object({ 'data-dir': z.string().min(1).default(join(homedir(), '.vision-station')) });

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { 'data-dir': { type: 'string' } }, true);
  const flags = validateFlags(Flags, values);
  if (positionals.length !== 1) throw new UsageError('give exactly one .onnx file to import');
  const dataDir = await prepareDataDir(flags['data-dir']);
  const engine = new InferenceEngine({ workerPath: workerScriptPath() });
  try {
    const library = new ModelLibrary({
      projectDir: resolve(__dirname, '..', '..', 'models'),
      userDir: join(dataDir, 'models'),
      inspect: (spec) => engine.inspect(spec),
    });
    const entry = await library.import(resolve(positionals[0]!));
    const i = entry.info!;
    writeLine(
      process.stdout,
      JSON.stringify({
        path: entry.path,
        family: i.family,
        task: i.task,
        inputWidth: i.inputWidth,
        inputHeight: i.inputHeight,
        classes: i.classNames.length,
        licence: i.licence,
      }),
    );
    return 0;
  } finally {
    await engine.close();
  }
}

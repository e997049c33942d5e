/**
 * The data folder given on the command line, created and checked before any command uses it.
 * Folders are made one level at a time: node's recursive mkdir loops forever under /proc
 * (`--data-dir /proc/xx` hung import-model), where a single mkdir fails at once.
 */
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args';

export async function prepareDataDir(path: string, flag = '--data-dir'): Promise<string> {
  const abs = resolve(path);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    const st = await stat(p).catch(() => null);
    if (st) {
      if (!st.isDirectory()) throw new UsageError(`${flag}: ${p} is not a directory`);
      break;
    }
    missing.unshift(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const dir of missing) {
    await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw new UsageError(`${flag}: cannot create ${dir} (${e.code ?? e.message})`);
    });
  }
  await access(abs, constants.W_OK).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${flag}: cannot write to ${abs} (${e.code ?? e.message})`);
  });
  return abs;
}

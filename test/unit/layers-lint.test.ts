/**
 * The layer map in eslint.config.mjs is enforced by lint: these imports, written as if they were
 * project files, must be rejected, and their allowed counterparts accepted.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { join } from 'node:path';

const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('layer lint', () => {
  it('rejects a core file importing an adapter', async () => {
    const errors = await layerErrors(
      'src/main/core/zz-fixture.ts',
      "import { createSource } from '../capture/create-source';\nexport const x = createSource;\n",
    );
    expect(errors).toEqual([
      'There is no policy allowing dependencies from elements of type "core" to elements of type "adapter"',
    ]);
  });

  it('rejects the renderer importing main-process code', async () => {
    const errors = await layerErrors(
      'src/renderer/src/zz-fixture.ts',
      "import { Station } from '../../main/station/station';\nexport const y = Station;\n",
    );
    expect(errors).toEqual([
      'There is no policy allowing dependencies from elements of type "renderer" to elements of type "app"',
    ]);
  });

  it('rejects an adapter importing the app layer', async () => {
    const errors = await layerErrors(
      'src/main/plc/zz-fixture.ts',
      "import { Pipeline } from '../pipeline/pipeline';\nexport const z = Pipeline;\n",
    );
    expect(errors).toEqual([
      'There is no policy allowing dependencies from elements of type "adapter" to elements of type "app"',
    ]);
  });

  it('accepts imports that point inward', async () => {
    expect(
      await layerErrors(
        'src/main/plc/zz-fixture.ts',
        "import { Backoff } from '../core/backoff';\nimport type { FrameResult } from '../../shared/frame';\nexport const b = Backoff;\nexport type F = FrameResult;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'src/renderer/src/zz-fixture.ts',
        "import { TARGET_FPS } from '../../shared/api';\nexport const t = TARGET_FPS;\n",
      ),
    ).toEqual([]);
  });
});

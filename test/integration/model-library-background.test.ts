import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryProgress } from '../../src/shared/api';
import { InferenceEngine } from '../../src/main/inference/engine';
import { ModelLibrary } from '../../src/main/models/library';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-libbg-'));
const projectDir = join(tmp, 'project');
const engine = new InferenceEngine({ workerPath: WORKER_JS });
const make = () =>
  new ModelLibrary({
    projectDir,
    userDir: join(tmp, 'user'),
    inspect: (spec) => engine.inspect(spec),
    cachePath: join(tmp, 'cache.json'),
  });

beforeAll(() => {
  mkdirSync(projectDir);
  copyFileSync(sharedModel('yolo11n-int8-coco-320.onnx'), join(projectDir, 'a.onnx'));
  writeFileSync(join(projectDir, 'broken.onnx'), 'not a model');
});
afterAll(async () => {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('model library, described in the background', () => {
  it('listQuick answers with pending entries at once, then describes them one by one with progress', async () => {
    const library = make();
    const progress: LibraryProgress[] = [];
    library.on('progress', (p) => progress.push(p));
    const first = await library.listQuick();
    expect(first.map((e) => [e.name, e.pending ?? false, e.info])).toEqual([
      ['classic', false, null],
      ['a', true, null],
      ['broken', true, null],
    ]);
    await library.idle();
    expect(progress).toEqual([
      { described: 0, total: 2, running: true },
      { described: 1, total: 2, running: true },
      { described: 2, total: 2, running: false },
    ]);
    const second = await library.listQuick();
    expect(second.map((e) => [e.name, e.pending ?? false, e.info?.family ?? null, e.error !== null])).toEqual(
      [
        ['classic', false, null, false],
        ['a', false, 'yolov8', false],
        ['broken', false, null, true],
      ],
    );

    // A new library on the same cache knows them at once: nothing to describe.
    const again = make();
    const later: LibraryProgress[] = [];
    again.on('progress', (p) => later.push(p));
    expect((await again.listQuick()).filter((e) => e.pending)).toEqual([]);
    await again.idle();
    expect(later).toEqual([]);
  });
});

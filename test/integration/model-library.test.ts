import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  copyFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceEngine } from '../../src/main/inference/engine';
import { ModelLibrary } from '../../src/main/models/library';
import { constantOutputModel } from '../helpers/onnx-builder';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-lib-'));
const projectDir = join(tmp, 'project');
const userDir = join(tmp, 'user');
const engine = new InferenceEngine({ workerPath: WORKER_JS });
const library = new ModelLibrary({ projectDir, userDir, inspect: (spec) => engine.inspect(spec) });

beforeAll(() => {
  mkdirSync(projectDir);
  copyFileSync(sharedModel('yolo11n-int8-coco-320.onnx'), join(projectDir, 'yolo11n.onnx'));
  writeFileSync(join(projectDir, 'broken.onnx'), 'not a model');
});
afterAll(async () => {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('model library', () => {
  it('lists the classic detector and each model with what it is', async () => {
    const list = await library.list();
    expect(list.map((e) => [e.name, e.location])).toEqual([
      ['classic', 'builtin'],
      ['broken', 'project'],
      ['yolo11n', 'project'],
    ]);
    const y = list[2]!;
    expect(y.sizeBytes).toBe(2923867);
    expect(y.info).toMatchObject({
      family: 'yolov8',
      task: 'detect',
      inputWidth: 320,
      inputHeight: 320,
      provider: 'cpu',
    });
    expect(y.info!.classNames).toHaveLength(80);
    expect(y.info!.licence).toBe('AGPL-3.0 License (https://ultralytics.com/license)');
    expect(list[1]!.info).toBeNull();
    expect(list[1]!.error).toMatch(/not an ONNX model file/);
  });

  it('imports a valid model atomically into the user folder, with its sidecar', async () => {
    const src = join(tmp, 'yolox-nano.onnx');
    copyFileSync(sharedModel('yolox-nano-coco-416.onnx'), src);
    writeFileSync(join(tmp, 'yolox-nano.json'), JSON.stringify({ licence: 'Apache-2.0' }));
    const entry = await library.import(src);
    expect(entry).toMatchObject({ name: 'yolox-nano', location: 'user', sizeBytes: 3660092 });
    expect(entry.info).toMatchObject({ family: 'yolox', inputWidth: 416, licence: 'Apache-2.0' });
    expect(readdirSync(userDir).sort()).toEqual(['yolox-nano.json', 'yolox-nano.onnx']);
    expect(readFileSync(join(userDir, 'yolox-nano.onnx')).equals(readFileSync(src))).toBe(true);
    expect((await library.list()).map((e) => e.name)).toContain('yolox-nano');
    await expect(library.import(src)).rejects.toThrow(/already in the library/);
  });

  it('refuses a bad file with the reason and adds nothing', async () => {
    const before = readdirSync(userDir).sort();
    const bad = join(tmp, 'odd-head.onnx');
    writeFileSync(
      bad,
      constantOutputModel({ name: 'images', dims: [1, 3, 64, 64] }, [
        { name: 'weird', dims: [1, 5, 5], values: new Float32Array(25) },
      ]),
    );
    await expect(library.import(bad)).rejects.toThrow(
      /^cannot import .*odd-head\.onnx: cannot decode this model .*weird float32 \[1,5,5\]/,
    );
    const garbage = join(tmp, 'garbage.onnx');
    writeFileSync(garbage, Buffer.alloc(1000, 7));
    await expect(library.import(garbage)).rejects.toThrow(/^cannot import .*garbage\.onnx: /);
    await expect(library.import(join(tmp, 'missing.onnx'))).rejects.toThrow(/ENOENT/);
    await expect(library.import(join(tmp, 'yolox-nano.json'))).rejects.toThrow(/only \.onnx files/);
    expect(readdirSync(userDir).sort()).toEqual(before);
  });
});

describe('model library cache', () => {
  it('remembers descriptions between runs and describes a model again when it or its sidecar changes', async () => {
    const dirC = mkdtempSync(join(tmpdir(), 'vs-libcache-'));
    try {
      mkdirSync(join(dirC, 'project'));
      copyFileSync(sharedModel('yolo11n-int8-coco-320.onnx'), join(dirC, 'project', 'm.onnx'));
      let loads = 0;
      const make = () =>
        new ModelLibrary({
          projectDir: join(dirC, 'project'),
          userDir: join(dirC, 'user'),
          cachePath: join(dirC, 'cache.json'),
          inspect: (spec) => {
            loads++;
            return engine.inspect(spec);
          },
        });
      expect((await make().list())[1]!.info!.family).toBe('yolov8');
      expect(loads).toBe(1);
      // A new run (new library object) answers from the cache file.
      expect((await make().list())[1]!.info!.inputWidth).toBe(320);
      expect(loads).toBe(1);
      // A sidecar appears: the description changes, so the model is loaded again.
      writeFileSync(join(dirC, 'project', 'm.json'), JSON.stringify({ licence: 'site licence 42' }));
      expect((await make().list())[1]!.info!.licence).toBe('site licence 42');
      expect(loads).toBe(2);
    } finally {
      rmSync(dirC, { recursive: true, force: true });
    }
  });
  it("shows each model's task and refuses, with a pointer to the sidecar, what it cannot run", async () => {
    const dirT = mkdtempSync(join(tmpdir(), 'vs-libtask-'));
    try {
      mkdirSync(join(dirT, 'project'));
      copyFileSync(sharedModel('picodet-xs-coco-320-nms.onnx'), join(dirT, 'project', 'picodet.onnx'));
      copyFileSync(
        sharedModel('twinlitenet-bdd100k-drivable-lane-320.onnx'),
        join(dirT, 'project', 'road.onnx'),
      );
      writeFileSync(
        join(dirT, 'project', 'odd.onnx'),
        constantOutputModel({ name: 'images', dims: [1, 3, 64, 64] }, [
          { name: 'weird', dims: [1, 5, 5], values: new Float32Array(25) },
        ]),
      );
      const lib = new ModelLibrary({
        projectDir: join(dirT, 'project'),
        userDir: join(dirT, 'user'),
        inspect: (spec) => engine.inspect(spec),
      });
      const list = await lib.list();
      expect(list.map((e) => [e.name, e.task, e.info?.family ?? null])).toEqual([
        ['classic', 'segment', null],
        ['odd', null, null],
        ['picodet', 'detect', 'paddle-nms'],
        ['road', 'semantic', 'semantic'],
      ]);
      expect(list[1]!.error).toMatch(/^cannot decode this model \(output layout not recognised/);
      expect(list[1]!.error).toMatch(
        /outputs: weird float32 \[1,5,5\]\. .*sidecar NAME\.json \(version 2, see README\)$/,
      );
      await expect(lib.import(join(dirT, 'project', 'odd.onnx'))).rejects.toThrow(/sidecar NAME\.json/);
    } finally {
      rmSync(dirT, { recursive: true, force: true });
    }
  });
});

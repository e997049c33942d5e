import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { sharedModel } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'vs-libcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import-model and download-model', () => {
  it('imports a model that loads, and refuses one that does not with the reason', async () => {
    const ok = await runCli(['import-model', '--data-dir', dir, sharedModel('yolox-nano-coco-416.onnx')]);
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout)).toEqual([
      {
        path: join(dir, 'models', 'yolox-nano-coco-416.onnx'),
        family: 'yolox',
        task: 'detect',
        inputWidth: 416,
        inputHeight: 416,
        classes: 80,
        licence: null,
      },
    ]);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const bad = await runCli(['import-model', '--data-dir', dir, junk]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^vision-station: import-model: cannot import .*junk\.onnx: .*not an ONNX model file/,
    );
    expect(readdirSync(join(dir, 'models'))).toEqual(['yolox-nano-coco-416.onnx']);
  });

  it('download-model names the models it knows and needs no network to say so', async () => {
    const r = await runCli(['download-model', '--id', 'yolov8x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vision-station: download-model: --id: must be one of yolox-nano, yolox-s\n');
  });
});

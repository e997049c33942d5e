/**
 * The command line says what is wrong and stops: empty and negative flag values, model paths that
 * are not model files, models whose output cannot be right, data folders it cannot use, and sources
 * and models `serve` cannot start with.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { CLI, ROOT, sharedImage, sharedModel } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-honest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy-free stand-in for a shared model with a sidecar naming another family. */
function wrongFamilyModel(): string {
  const dir = join(tmp, 'wrong-family');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'yolox-as-v8.onnx');
  symlinkSync(sharedModel('yolox-nano-coco-416.onnx'), path);
  writeFileSync(join(dir, 'yolox-as-v8.json'), JSON.stringify({ family: 'yolov8' }));
  return path;
}

const oneLine = (stderr: string): string => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trimEnd();
};

describe('flag values', () => {
  it.each([
    [['--conf', ''], 'vision-station: run: --conf: must not be empty (give a number)'],
    [['--conf', '-1'], 'vision-station: run: --conf: must be between 0 and 1'],
    [['--conf=-1'], 'vision-station: run: --conf: must be between 0 and 1'],
    [['--frames', '-5'], 'vision-station: run: --frames: must be between 1 and 10000000'],
    [['--iou', '-0.5'], 'vision-station: run: --iou: must be between 0 and 1'],
    [['--plc', ''], 'vision-station: run: --plc: must not be empty'],
    [['--parallel-frames', '0'], 'vision-station: run: --parallel-frames: must be between 1 and 16'],
    [['--parallel-frames', '1.5'], 'vision-station: run: --parallel-frames: must be a whole number'],
  ])('run %j is a usage error', async (flags, message) => {
    const r = await runCli(['run', '--source', 'synthetic:', '--model', 'classic', ...flags]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(message);
    expect(r.stdout).toBe('');
  });
});

describe('model files', () => {
  it('refuses /dev/zero, a directory and a FIFO without reading them', async () => {
    const fifo = join(tmp, 'model.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const zero = await runCli(['detect', '--model', '/dev/zero', sharedImage('dog.jpg')], 30_000);
    expect(zero.code).toBe(1);
    expect(oneLine(zero.stderr)).toBe(
      'vision-station: detect: model /dev/zero is not a regular file (a device, FIFO or socket); give an .onnx file',
    );
    const dir = await runCli(['detect', '--model', tmp, sharedImage('dog.jpg')], 30_000);
    expect(oneLine(dir.stderr)).toBe(
      `vision-station: detect: model ${tmp} is a directory, not an .onnx file`,
    );
    const run = await runCli(['run', '--source', 'synthetic:', '--model', fifo], 30_000);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(
      `vision-station: run: --model: model ${fifo} is not a regular file (a device, FIFO or socket); give an .onnx file`,
    );
  });

  it('checks --recipe models at start', async () => {
    const r = await runCli(
      ['run', '--source', 'synthetic:', '--model', 'classic', '--recipe', '2=/nope.onnx', '--frames', '1'],
      30_000,
    );
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('vision-station: run: --recipe 2: model file /nope.onnx does not exist');
  });

  it('refuses a model whose sidecar names the wrong family, in detect and import-model', async () => {
    const model = wrongFamilyModel();
    const d = await runCli(['detect', '--model', model, sharedImage('dog.jpg')]);
    expect(d.code).toBe(1);
    expect(d.stdout).toBe('');
    expect(oneLine(d.stderr)).toMatch(
      /^vision-station: detect: the model's output does not decode as yolov8: a detection has score [\d.]+, outside 0\.\.1; check the family in its sidecar or metadata$/,
    );
    const dataDir = join(tmp, 'data');
    const i = await runCli(['import-model', '--data-dir', dataDir, model]);
    expect(i.code).toBe(1);
    expect(oneLine(i.stderr)).toMatch(
      new RegExp(
        `^vision-station: import-model: cannot import ${model}: the model's output does not decode as yolov8`,
      ),
    );
  });

  it('import-model with an unusable data folder fails at once', async () => {
    const r = await runCli(
      ['import-model', '--data-dir', '/proc/xx', sharedModel('yolox-nano-coco-416.onnx')],
      20_000,
    );
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      'vision-station: import-model: --data-dir: cannot create /proc/xx (ENOENT)',
    );
  });
});

describe('images', () => {
  it('a directory given as an image says it is a directory; other images still run', async () => {
    const r = await runCli([
      'detect',
      '--model',
      sharedModel('yolox-nano-coco-416.onnx'),
      tmp,
      sharedImage('dog.jpg'),
    ]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `vision-station: detect: cannot process image ${tmp}: is a directory, not an image file`,
    );
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('serve at start', () => {
  const serve = (args: string[]) =>
    runCli(['serve', '--port', '0', '--data-dir', join(tmp, 'serve-data'), '--plc', 'off', ...args], 60_000);

  it('exits on --parallel-frames out of range', async () => {
    const r = await serve(['--parallel-frames', '17']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('vision-station: serve: --parallel-frames: must be between 1 and 16');
  });

  it('exits on --preview-fps out of range', async () => {
    const r = await serve(['--preview-fps', '0']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('vision-station: serve: --preview-fps: must be between 1 and 30');
  });

  it('exits on a source URI it cannot parse', async () => {
    const r = await serve(['--source', 'foo:bar']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /^vision-station: serve: Invalid source "foo:bar": unknown scheme "foo:"/,
    );
  });

  it('exits on a missing source file or model unless --allow-fallback', async () => {
    const src = await serve(['--source', `file:${join(tmp, 'missing.mp4')}`]);
    expect(src.code).toBe(2);
    expect(oneLine(src.stderr)).toBe(
      `vision-station: serve: --source: ${join(tmp, 'missing.mp4')} does not exist`,
    );
    const model = await serve(['--source', 'synthetic:', '--model', join(tmp, 'bad.onnx')]);
    expect(model.code).toBe(2);
    expect(oneLine(model.stderr)).toBe(
      `vision-station: serve: --model: model file ${join(tmp, 'bad.onnx')} does not exist`,
    );
  });

  it('exits when the model file is there but does not load, unless --allow-fallback', async () => {
    const bad = join(tmp, 'garbage.onnx');
    writeFileSync(bad, 'this is not an onnx model');
    const r = await serve(['--source', 'synthetic:', '--model', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^vision-station: serve: --model ${bad} did not load \\(now running classic\\); .*--allow-fallback`,
      ),
    );

    // With --allow-fallback it comes up on the classic detector.
    const proc = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--port',
        '0',
        '--data-dir',
        join(tmp, 'fallback'),
        '--plc',
        'off',
        '--source',
        'synthetic:',
        '--model',
        bad,
        '--allow-fallback',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        proc.once('exit', (code) => reject(new Error(`serve --allow-fallback exited (${code})`)));
      });
      expect(line).toMatch(/^\{"listening":"http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}"\}$/);
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });
});

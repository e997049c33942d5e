/**
 * `run --cameras FILE.json`: several cameras from the command line, through the built CLI.
 * The PLC side (one DB per camera on a real S7 server) is in multi-camera-s7.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { sharedModel } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-cameras-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function camerasFile(content: unknown): string {
  const path = join(tmp, `cameras-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface FrameLine {
  camera: string;
  frameId: number;
  detections: unknown[];
  crossings: unknown[];
}
interface CameraSummary {
  camera: string;
  summary: { frames: number; dropped: number; latencyMs: { p50: number | null }; counts: object };
}
interface StationSummary {
  summary: { cameras: string[]; frames: number; fps: number; dropped: number };
}

describe('run --cameras', () => {
  it('runs two cameras on one shared model: frame lines name their camera, a summary per camera, then the station', async () => {
    const file = camerasFile({
      model: sharedModel('yolo11n-int8-coco-320.onnx'),
      cameras: [
        { name: 'infeed', source: 'synthetic:?size=320x240&fps=15' },
        {
          name: 'outfeed',
          source: 'synthetic:?size=352x288&fps=15',
          conf: 0.3,
          track: true,
          lines: ['exit=0,140,352,140'],
        },
      ],
    });
    const r = await runCli(['run', '--cameras', file, '--frames', '5', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const frames = lines.filter((l): l is FrameLine => 'frameId' in (l as object));
    for (const cam of ['infeed', 'outfeed']) {
      const ids = frames.filter((f) => f.camera === cam).map((f) => f.frameId);
      expect(ids).toHaveLength(5);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    const perCamera = lines.filter(
      (l): l is CameraSummary => 'summary' in (l as object) && 'camera' in (l as object),
    );
    expect(perCamera.map((s) => [s.camera, s.summary.frames])).toEqual([
      ['infeed', 5],
      ['outfeed', 5],
    ]);
    expect(perCamera[0]!.summary.counts).toEqual({});
    expect(perCamera[1]!.summary.counts).toEqual({ exit: { in: 0, out: 0 } });
    const last = lines.at(-1) as StationSummary;
    expect(last.summary.cameras).toEqual(['infeed', 'outfeed']);
    expect(last.summary.frames).toBe(10);
    expect(last.summary.dropped).toBe(perCamera[0]!.summary.dropped + perCamera[1]!.summary.dropped);
  });

  const model = (): string => sharedModel('yolo11n-int8-coco-320.onnx');
  it.each([
    [
      'a missing file',
      () => join(tmp, 'nope.json'),
      /^vision-station: run: --cameras \S+nope\.json: no such file$/,
    ],
    ['a file that is not JSON', () => camerasFile('{"cameras": ['), /: not valid JSON: /],
    [
      'a camera without a source',
      () => camerasFile({ model: model(), cameras: [{ name: 'a' }] }),
      /: cameras\[0\] \("a"\)\.source: is required \(e\.g\. "synthetic:"/,
    ],
    [
      'a source URI it cannot read',
      () => camerasFile({ model: model(), cameras: [{ name: 'a', source: 'ftp://x' }] }),
      /: cameras\[0\] \("a"\)\.source: /,
    ],
    [
      'a model file that does not exist',
      () => camerasFile({ cameras: [{ name: 'a', source: 'synthetic:', model: 'missing.onnx' }] }),
      /: cameras\[0\] \("a"\)\.model: .*missing\.onnx/,
    ],
    [
      'the built-in simulator for two cameras',
      () =>
        camerasFile({
          model: 'classic',
          cameras: [
            { name: 'a', source: 'synthetic:', plc: 'sim' },
            { name: 'b', source: 'synthetic:' },
          ],
        }),
      /: cameras\[0\] \("a"\)\.plc: 'sim' serves one camera only/,
    ],
    [
      'two cameras writing the same DB',
      () =>
        camerasFile({
          model: 'classic',
          cameras: [
            { name: 'a', source: 'synthetic:', plc: 's7://127.0.0.1:10102?db=5' },
            { name: 'b', source: 'synthetic:', plc: 's7://127.0.0.1:10102?db=5' },
          ],
        }),
      /: cameras\[1\] \("b"\)\.plc: writes to 127\.0\.0\.1:10102\/DB5 bytes 0\.\.\d+, as cameras\[0\] \("a"\) does; give each camera its own db \(or offset\)$/,
    ],
    [
      'a recipe (the station keeps recipes, not the file)',
      () =>
        camerasFile({ model: 'classic', cameras: [{ name: 'a', source: 'synthetic:', recipe: 'job-a' }] }),
      /: cameras\[0\] \("a"\)\.recipe: recipes are the station's \(serve or the app, settings "cameras"\); with run --cameras give the camera's model and thresholds instead$/,
    ],
  ])(
    'refuses %s with one line naming the file and the field, before starting anything',
    async (_what, file, message) => {
      const r = await runCli(['run', '--cameras', file(), '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const err = r.stderr.trim().split('\n');
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    },
  );

  it('names the camera whose PLC cannot be reached at start, as run describes it, and exits 1', async () => {
    const file = camerasFile({
      model: 'classic',
      cameras: [
        { name: 'a', source: 'synthetic:', plc: 's7://127.0.0.1:1?db=1' },
        { name: 'b', source: 'synthetic:' },
      ],
    });
    const r = await runCli(['run', '--cameras', file, '--frames', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      "vision-station: run: camera 'a': PLC 127.0.0.1:1 refused the connection: nothing accepts S7 connections on that port",
    );
  });

  it('refuses single-camera flags beside --cameras, saying what applies', async () => {
    const file = camerasFile({ model: 'classic', cameras: [{ name: 'a', source: 'synthetic:' }] });
    const r = await runCli(['run', '--cameras', file, '--source', 'synthetic:']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /--source: not with --cameras \(the cameras file gives each camera its source.*\); with --cameras only --frames, --json, --provider and --threads apply$/,
    );
  });
});

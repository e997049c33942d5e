/**
 * `run --track --line` on real conveyor footage, and the tracking flags' usage errors.
 *
 * Footage: `fruit-and-vegetable-detection.gif` from Intel IoT DevKit sample-videos
 * (github.com/intel-iot-devkit/sample-videos), CC BY 4.0, read from the shared folder.
 * SOURCES.md: four items run right to left across x = 240, between GIF frames 17/18, 33/34,
 * 72/73 and 92/93 (0-based). `run` numbers frames from 1, so the crossing shows in frameId 19,
 * 35, 74 and 94. Right to left across a line drawn downwards is `out` (DESIGN.md: the point
 * goes from the cross < 0 side, x > 240, to the cross > 0 side).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { FOOTAGE_DIR } from '../helpers/paths';
import { main as runMain } from '../../src/main/cli/run';
import { UsageError } from '../../src/main/cli/args';

const CLIP = resolve(FOOTAGE_DIR, 'fruit-and-vegetable-detection.gif');

interface FrameLine {
  frameId: number;
  learning?: boolean;
  detections: { trackId: number; box: number[]; eligibleForOutput?: boolean }[];
  crossings: { line: string; trackId: number; direction: string }[];
}
interface SummaryLine {
  summary: { frames: number; counts: Record<string, { in: number; out: number }> };
}

describe('run --track --line on the conveyor clip', () => {
  it('counts each of the four items exactly once, in the frames SOURCES.md gives', async () => {
    const r = await runCli([
      'run',
      '--source',
      `file:${CLIP}?fps=max`,
      '--model',
      'classic',
      '--classic',
      'learnFrames=1',
      '--track',
      '--line',
      'gate=240,0,240,270',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const frames = lines.slice(0, -1) as FrameLine[];
    const { summary } = lines.at(-1) as SummaryLine;
    expect(summary.frames).toBe(101);
    expect(summary.counts).toEqual({ gate: { in: 0, out: 4 } });
    expect(frames[0].learning).toBe(true);
    expect(frames.slice(1).every((f) => f.learning === undefined)).toBe(true);
    const crossings = frames.flatMap((f) => f.crossings.map((c) => ({ frameId: f.frameId, ...c })));
    expect(crossings).toEqual([
      { frameId: 19, line: 'gate', trackId: 1, direction: 'out' },
      { frameId: 35, line: 'gate', trackId: 2, direction: 'out' },
      { frameId: 74, line: 'gate', trackId: 3, direction: 'out' },
      { frameId: 94, line: 'gate', trackId: 4, direction: 'out' },
    ]);
    // Four objects, four ids, and at most two visible at once (SOURCES.md).
    const ids = new Set(frames.flatMap((f) => f.detections.map((d) => d.trackId)));
    expect([...ids].sort()).toEqual([1, 2, 3, 4]);
    expect(Math.max(...frames.map((f) => f.detections.length))).toBe(2);
  });

  it('without --track every detection has trackId -1; an exclude zone marks objects not for output', async () => {
    const r = await runCli([
      'run',
      '--source',
      `file:${CLIP}?fps=max`,
      '--model',
      'classic',
      '--classic',
      'learnFrames=1,threshold=60,minAreaPx=300,maxAreaPx=100000',
      '--zone',
      'exclude:0,0,240,0,240,270,0,270',
      '--frames',
      '30',
      '--json',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = jsonLines(r.stdout);
    const frames = lines.slice(0, -1) as FrameLine[];
    const dets = frames.flatMap((f) => f.detections);
    expect(dets.length).toBeGreaterThan(20);
    for (const d of dets) {
      expect(d.trackId).toBe(-1);
      const centreX = (d.box[0] + d.box[2]) / 2;
      expect(d.eligibleForOutput).toBe(centreX < 240 ? false : undefined);
    }
    expect(dets.some((d) => d.eligibleForOutput === false)).toBe(true);
    expect(frames.every((f) => Array.isArray(f.crossings) && f.crossings.length === 0)).toBe(true);
    expect((lines.at(-1) as SummaryLine).summary.counts).toEqual({});
  });

  it('--counters-file: counters carry on across runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-track-'));
    try {
      const file = join(dir, 'counters.json');
      const args = [
        'run',
        '--source',
        `file:${CLIP}?fps=max`,
        '--model',
        'classic',
        '--classic',
        'learnFrames=1',
        '--track',
        '--line',
        'gate=240,0,240,270',
        '--counters-file',
        file,
      ];
      const counts = async () => {
        const r = await runCli(args);
        expect([r.code, r.stderr]).toEqual([0, '']);
        return (jsonLines(r.stdout).at(-1) as SummaryLine).summary.counts;
      };
      expect(await counts()).toEqual({ gate: { in: 0, out: 4 } });
      expect(JSON.parse(readFileSync(file, 'utf8')).counts).toEqual([{ line: 'gate', in: 0, out: 4 }]);
      expect(await counts()).toEqual({ gate: { in: 0, out: 8 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad tracking flags with one line naming the flag', async () => {
    const base = ['--source', 'synthetic:', '--model', 'classic', '--frames', '1'];
    // Through the built CLI once (exit code, one stderr line), then in-process for each message.
    const r = await runCli(['run', ...base, '--line', 'gate=1,2,3,4']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'vision-station: run: --line: counting lines need --track (a crossing is a track changing side)\n',
    ]);
    const cases: [string[], string][] = [
      [
        ['--track', '--line', 'gate=1,2'],
        "--line: line 'gate=1,2' must be NAME=x1,y1,x2,y2 with four numbers",
      ],
      [
        ['--zone', 'inside:1,2,3,4,5,6'],
        "--zone: zone 'inside:1,2,3,4,5,6' must be include:x1,y1,x2,y2,x3,y3[,...] or exclude:...",
      ],
      [
        ['--classic', 'learnFrames=0'],
        '--classic: classic detector learnFrames: Too small: expected number to be >=1',
      ],
      [
        ['--model', 'x.onnx', '--classic', 'learnFrames=2'],
        "--classic: sets the classic detector, but --model is not 'classic'",
      ],
      [
        ['--track', ...Array.from({ length: 9 }, (_, i) => ['--line', `l${i}=0,0,1,1`]).flat()],
        '--line: counting lines: at most 8 counting lines (the PLC layout has room for 8)',
      ],
      [
        ['--counters-file', 'c.json'],
        '--counters-file: keeps counting-line counters; give at least one --line',
      ],
    ];
    for (const [flags, message] of cases) {
      const e = await runMain([...base, ...flags]).catch((err: Error) => err);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toBe(message);
    }
  });
});

/**
 * `run --classes ... --class-conf NAME=T` on a real clip with a real model: the printed detections
 * are exactly the unfiltered run's detections that pass each class's own threshold.
 * Footage: bottle-detection.mp4 (CC BY 4.0, see ../shared/footage/SOURCES.md).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { FOOTAGE_DIR, sharedModel } from '../helpers/paths';

interface Det {
  className: string;
  score: number;
  box: number[];
}
interface FrameLine {
  frameId: number;
  detections: Det[];
}

const model = sharedModel('yolo11n-int8-coco-320.onnx');
const source = `file:${resolve(FOOTAGE_DIR, 'bottle-detection.mp4')}?fps=max`;
const base = ['run', '--source', source, '--model', model, '--frames', '12', '--json'];

function frames(stdout: string): FrameLine[] {
  return (jsonLines(stdout) as (FrameLine | { summary: unknown })[]).filter(
    (l): l is FrameLine => 'frameId' in l,
  );
}

describe('run with per-class limits', () => {
  it('prints only the listed classes, each above its own threshold (lower or higher than --conf)', async () => {
    const [all, limited] = await Promise.all([
      runCli([...base, '--conf', '0.05']),
      runCli([
        ...base,
        '--conf',
        '0.5',
        '--classes',
        'bottle,dining table',
        '--class-conf',
        'dining table=0.1',
        '--class-conf',
        'bottle=0.88',
        '--plc',
        'sim',
      ]),
    ]);
    expect(all.code, all.stderr).toBe(0);
    expect(limited.code, limited.stderr).toBe(0);
    const allFrames = frames(all.stdout);
    const limitedFrames = frames(limited.stdout);
    expect(limitedFrames.map((f) => f.frameId)).toEqual(allFrames.map((f) => f.frameId));
    const threshold: Record<string, number> = { bottle: 0.88, 'dining table': 0.1 };
    const expected = allFrames.map((f) =>
      f.detections.filter((d) => d.score >= (threshold[d.className] ?? 2)),
    );
    expect(limitedFrames.map((f) => f.detections)).toEqual(expected);
    // The clip has chairs (filtered: not listed), low dining tables and bottles below 0.88.
    const seen = (fs: FrameLine[], pred: (d: Det) => boolean) => fs.some((f) => f.detections.some(pred));
    expect(seen(allFrames, (d) => d.className === 'chair')).toBe(true);
    expect(seen(allFrames, (d) => d.className === 'bottle' && d.score < 0.88)).toBe(true);
    expect(seen(allFrames, (d) => d.className === 'dining table' && d.score < 0.1)).toBe(true);
    expect(seen(limitedFrames, (d) => d.className === 'dining table')).toBe(true);
    // The PLC gets the same filtered set (sendToPlc defaults to on).
    const sim = limited.stderr
      .split('\n')
      .filter((l) => l.startsWith('plc-sim: '))
      .map(
        (l) =>
          JSON.parse(l.slice('plc-sim: '.length)) as {
            frameId: number;
            count: number;
            status: { resultsValid: boolean; stale: boolean };
          },
      );
    // On a busy machine a result can pass its staleness limit before the write: it then goes out
    // as not valid with no records, by design. Every valid write carries exactly the filtered set.
    const valid = sim.filter((s) => s.status.resultsValid && !s.status.stale);
    expect(valid.length).toBeGreaterThan(0);
    const byId = new Map(limitedFrames.map((f) => [f.frameId, f.detections.length]));
    for (const s of valid) expect(s.count, `frame ${s.frameId}`).toBe(byId.get(s.frameId));
  });

  it('refuses an unknown class name with the model’s names (exit 2, one line)', async () => {
    const r = await runCli([...base, '--classes', 'bottel']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('vision-station: loading') && l);
    expect(lines.at(-1)).toMatch(
      /--classes\/--class-conf: unknown class 'bottel' \(the model has: person, bicycle, car,/,
    );
  });

  it('refuses a malformed --class-conf before loading anything', async () => {
    const r = await runCli([...base, '--class-conf', 'bottle=1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'vision-station: run: --class-conf: must be NAME=T with T between 0 and 1, e.g. bottle=0.4',
    );
  });
});

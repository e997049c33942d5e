import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';

interface RunLine {
  frameId: number;
  captureTimeMs: number;
  /** Classic detector still learning its background: not a valid result for the PLC. */
  learning?: boolean;
  detections: { classId: number; score: number; box: [number, number, number, number] }[];
}
interface SimLine {
  frameId: number;
  lifeCounter: number;
  count: number;
  status: { cameraOk: boolean; modelOk: boolean; resultsValid: boolean; overflow: boolean; stale: boolean };
  records: {
    classId: number;
    trackId: number;
    score: number;
    x: number;
    y: number;
    width: number;
    height: number;
  }[];
}

const tmp = mkdtempSync(join(tmpdir(), 'vs-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('run', () => {
  it('synthetic scene → classic detector → built-in PLC simulator: the PLC receives what run prints', async () => {
    const r = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--plc',
      'sim',
      '--frames',
      '50',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as (
      RunLine | { summary: { frames: number; fps: number; dropped: number } }
    )[];
    expect(lines).toHaveLength(51);
    const frames = lines.slice(0, 50) as RunLine[];
    const summary = (
      lines[50] as unknown as { summary: { frames: number; fps: number; latencyMs: object; stages: object } }
    ).summary;
    expect(summary.frames).toBe(50);
    // A rate, not a speed check (tests never assert timings): present and positive.
    expect(summary.fps).toBeGreaterThan(0);
    expect(Object.keys(summary.stages)).toEqual(['captureWaitMs', 'preMs', 'inferMs', 'postMs', 'sinkMs']);
    // The scene starts with 30 frames of empty belt (the classic detector learns it from the first
    // 15); parts enter from frame 31 on.
    expect(frames.filter((f) => f.frameId <= 30).every((f) => f.detections.length === 0)).toBe(true);
    const later = frames.filter((f) => f.frameId >= 40);
    expect(later.length).toBeGreaterThan(5);
    expect(later.every((f) => f.detections.length > 0)).toBe(true);

    const sim = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('plc-sim: '))
      .map((l) => JSON.parse(l.slice('plc-sim: '.length)) as SimLine);
    // The sink keeps only the newest result, so a few may be replaced; most frames reach the PLC.
    expect(sim.length).toBeGreaterThan(30);
    const byId = new Map(frames.map((f) => [f.frameId, f]));
    let lastLife = 0;
    let compared = 0;
    for (const s of sim) {
      expect(s.lifeCounter).toBe(lastLife + 1);
      lastLife = s.lifeCounter;
      const f = byId.get(s.frameId);
      expect(f, `PLC got frame ${s.frameId}, which run never printed`).toBeDefined();
      expect(s.status).toMatchObject({
        modelOk: true,
        resultsValid: f!.learning !== true,
        stale: false,
        overflow: false,
      });
      expect(s.count).toBe(f!.detections.length);
      const expected = [...f!.detections]
        .sort((a, b) => b.score - a.score)
        .map((d) => ({
          classId: d.classId,
          x: (d.box[0] + d.box[2]) / 2,
          y: (d.box[1] + d.box[3]) / 2,
          w: d.box[2] - d.box[0],
          h: d.box[3] - d.box[1],
        }));
      const got = s.records
        .slice(0, s.count)
        .map((rec) => ({ classId: rec.classId, x: rec.x, y: rec.y, w: rec.width, h: rec.height }));
      const key = (o: { x: number; y: number }) => o.x * 10000 + o.y;
      expected.sort((a, b) => key(a) - key(b));
      got.sort((a, b) => key(a) - key(b));
      expect(got.length).toBe(expected.length);
      got.forEach((g, i) => {
        const e = expected[i]!;
        expect(g.classId).toBe(e.classId);
        // REAL is float32; run prints boxes rounded to 0.01 px.
        for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(g[k] - e[k])).toBeLessThan(0.02);
      });
      compared += s.count;
    }
    expect(compared).toBeGreaterThan(10);
    // The last frame of the run is flushed to the PLC before the link closes.
    expect(sim.at(-1)!.frameId).toBe(frames.at(-1)!.frameId);
  });

  it('reads every frame of a clip at fps=max when the detector is faster than real time', async () => {
    const clip = join(tmp, 'clip25.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=25',
      '-frames:v',
      '25',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    const r = await runCli(['run', '--source', `file:${clip}?fps=max`, '--model', 'classic', '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as (RunLine | { summary: { frames: number; dropped: number } })[];
    const summary = (lines.at(-1) as { summary: { frames: number; dropped: number } }).summary;
    // Frames may be replaced in the slot while one is processed, but none is lost unaccounted for,
    // and the file's last frame is always processed.
    expect(summary.frames + summary.dropped).toBe(25);
    // At fps=max a file waits for the pipeline instead of dropping: every frame is processed.
    expect(summary.dropped).toBe(0);
    expect((lines.at(-2) as RunLine).frameId).toBe(25);
  });

  it('positions from frames the decoder scaled down to the model size come out in camera pixels', async () => {
    const { manifestDetections } = await import('../helpers/manifest');
    const { sharedImage, sharedModel } = await import('../helpers/paths');
    const { iouXyxy } = await import('../../src/main/core/geometry');
    const clip = join(tmp, 'dog.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      sharedImage('dog.jpg'),
      '-frames:v',
      '3',
      '-c:v',
      'libx264',
      '-crf',
      '12',
      '-pix_fmt',
      'yuv444p',
      clip,
    ]);
    const r = await runCli([
      'run',
      '--source',
      `file:${clip}?fps=max`,
      '--model',
      sharedModel('yolo11n-int8-coco-320.onnx'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const frames = (jsonLines(r.stdout) as RunLine[]).slice(0, -1);
    expect(frames).toHaveLength(3);
    const ref = manifestDetections('yolo11n-int8-coco-320.onnx')['dog.jpg']!;
    for (const f of frames) {
      // ffmpeg shrank 768x576 to 320x240 before inference; boxes are mapped back to 768x576.
      expect(f.detections).toHaveLength(ref.length);
      for (const want of ref)
        expect(Math.max(...f.detections.map((d) => iouXyxy(d.box, want.box)))).toBeGreaterThan(0.9);
    }
  });

  it('bad input exits non-zero with one clear line and never hangs', async () => {
    const missing = await runCli([
      'run',
      '--source',
      `file:${join(tmp, 'none.mp4')}`,
      '--model',
      'classic',
      '--frames',
      '5',
      '--json',
    ]);
    expect([missing.code, missing.stdout]).toEqual([1, '']);
    expect(missing.stderr).toBe(
      `vision-station: run: source file ${join(tmp, 'none.mp4')} (native pace): file not found: ${join(tmp, 'none.mp4')}\n`,
    );

    const badUri = await runCli(['run', '--source', 'webcam:0', '--model', 'classic']);
    expect(badUri.code).toBe(2);
    expect(badUri.stderr.split('\n')).toHaveLength(2);
    expect(badUri.stderr).toMatch(/^vision-station: run: .*webcam:0/);

    const plc = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--plc',
      's7://127.0.0.1:1?db=5',
      '--frames',
      '5',
    ]);
    expect(plc.code).toBe(1);
    expect(plc.stdout).toBe('');
    expect(plc.stderr.split('\n')).toHaveLength(2);
    expect(plc.stderr).toMatch(/^vision-station: run: .*127\.0\.0\.1/);

    const badPlc = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--plc',
      's7://127.0.0.1?db=zero',
    ]);
    expect(badPlc.code).toBe(2);
    expect(badPlc.stderr).toMatch(/^vision-station: run: PLC URI .*db=zero is not a whole number/);

    const cal = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--calibration',
      '0,0,0,0,0,0,0,0,1',
    ]);
    expect([cal.code, cal.stderr]).toEqual([
      2,
      'vision-station: run: --calibration: the homography is singular (determinant 0): it cannot map pixels to millimetres\n',
    ]);

    const flag = await runCli(['run', '--source', 'synthetic:', '--model', 'classic', '--frames', '0']);
    expect([flag.code, flag.stderr]).toEqual([
      2,
      'vision-station: run: --frames: must be between 1 and 10000000\n',
    ]);
  });
});

describe('run --serial', () => {
  it('writes one checksummed line per frame to a serial port (socat pty pair)', async () => {
    const { startSocat, stopSocat, openReader } = await import('../helpers/socat');
    const { parseSerialLine } = await import('../../src/main/core/serial-format');
    const a = join(tmp, 'ttyA');
    const b = join(tmp, 'ttyB');
    const { proc } = await startSocat(a, b);
    const reader = await openReader(b);
    try {
      const r = await runCli([
        'run',
        '--source',
        'synthetic:?size=640x360',
        '--model',
        'classic',
        '--serial',
        `${a}?baud=115200`,
        '--frames',
        '45',
        '--json',
      ]);
      expect(r.code).toBe(0);
      const frames = (jsonLines(r.stdout) as RunLine[]).slice(0, -1);
      await expect.poll(() => reader.lines.length).toBeGreaterThan(30);
      const byId = new Map(frames.map((f) => [f.frameId, f]));
      for (const line of reader.lines) {
        const parsed = parseSerialLine(line + '\n');
        const f = byId.get(parsed.frameId);
        expect(f, `serial line for frame ${parsed.frameId}`).toBeDefined();
        expect(parsed.count).toBe(f!.detections.length);
      }
    } finally {
      await new Promise<void>((resolve) => reader.port.close(() => resolve()));
      await stopSocat(proc);
    }
  });
});

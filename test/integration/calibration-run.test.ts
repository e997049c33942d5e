/**
 * Calibration end to end: a homography solved from point pairs, given to `run --calibration`, and
 * the millimetres read back from a real S7 server (node-snap7 S7Server on loopback).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyHomography, detectionPlacementMm, type Homography3x3 } from '../../src/main/core/calibration';
import { solveHomography } from '../../src/main/core/calibration-solver';
import { PlcSim, type SimFrame } from '../../src/main/plc/plc-sim';
import { freePort } from '../../src/main/util/net';
import type { BoxXyxy, PointXy } from '../../src/shared/detection';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { invert3 } from '../../src/main/core/linalg';
import { renderCheckerboard } from '../helpers/checkerboard';
import { jsonLines, runCli } from '../helpers/cli';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('calibrated run → S7 server', () => {
  it('writes centres and sizes in mm from a solved homography', async () => {
    // The 640×360 synthetic belt as a 320 × 180 mm table seen at an angle (a made-up but
    // plausible camera): the four image corners and the centre measured on the table.
    const truth: Homography3x3 = [0.52, 0.02, 5, -0.01, 0.49, 8, 1e-4, 2e-5, 1];
    const pixels: PointXy[] = [
      [0, 0],
      [640, 0],
      [640, 360],
      [0, 360],
      [320, 180],
    ];
    const solved = solveHomography(pixels.map((p) => ({ pixel: p, mm: applyHomography(truth, p) })));
    expect(solved.ok).toBe(true);
    if (!solved.ok) return;
    expect(solved.rmsMm).toBeLessThan(1e-6);

    const port = await freePort();
    const sim = new PlcSim({ port, dbNumber: 7, maxObjects: 16 });
    await sim.start();
    cleanups.push(() => sim.close());
    const received: SimFrame[] = [];
    sim.on('frame', (f) => received.push(f));

    const r = await runCli([
      'run',
      '--source',
      'synthetic:?size=640x360&fps=30',
      '--model',
      'classic',
      '--plc',
      `s7://127.0.0.1:${port}?db=7`,
      '--calibration',
      solved.homography.join(','),
      '--frames',
      '60',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = new Map(
      (jsonLines(r.stdout) as { frameId?: number; detections?: { score: number; box: BoxXyxy }[] }[])
        .filter((l) => l.frameId !== undefined)
        .map((l) => [l.frameId!, l.detections!]),
    );
    const withObjects = received.filter((f) => f.header.count > 0 && printed.has(f.header.frameId));
    expect(withObjects.length, 'frames with objects written to the S7 server').toBeGreaterThan(5);
    for (const f of withObjects) {
      // The PLC gets records by descending score; run prints pixel boxes.
      const dets = [...printed.get(f.header.frameId)!].sort((a, b) => b.score - a.score);
      expect(f.header.count).toBe(dets.length);
      f.records.slice(0, f.header.count).forEach((rec, i) => {
        const mm = detectionPlacementMm({ box: dets[i]!.box }, truth);
        // REAL is float32; run prints boxes rounded to 2 decimals (≤ 0.005 px ≈ 0.003 mm).
        expect(Math.abs(rec.x - mm.x)).toBeLessThan(0.01);
        expect(Math.abs(rec.y - mm.y)).toBeLessThan(0.01);
        expect(Math.abs(rec.width - mm.width)).toBeLessThan(0.01);
        expect(Math.abs(rec.height - mm.height)).toBeLessThan(0.01);
      });
    }
  });

  it('calibrate prints a matrix run accepts, residuals in mm, and refuses collinear points', async () => {
    const ok = await runCli([
      'calibrate',
      '--point',
      '0,0=0,0',
      '--point',
      '100,0=50,0',
      '--point',
      '100,100=50,50',
      '--point',
      '0,100=0,50',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as {
      homography: number[];
      calibrationFlag: string;
      rmsMm: number;
      residuals: { errorMm: number }[];
    };
    [0.5, 0, 0, 0, 0.5, 0, 0, 0, 1].forEach((v, i) => expect(out.homography[i]).toBeCloseTo(v, 12));
    expect(out.calibrationFlag).toBe(out.homography.join(','));
    expect(out.rmsMm).toBe(0);
    expect(out.residuals.map((r) => r.errorMm)).toEqual([0, 0, 0, 0]);
    const bad = await runCli([
      'calibrate',
      '--point',
      '0,0=0,0',
      '--point',
      '100,0=50,0',
      '--point',
      '50,0=25,0',
      '--point',
      '0,100=0,50',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'vision-station: calibrate: three of the four points lie on one line in pixel space; place them at the corners of a quadrilateral (collinearPoints)\n',
    );
    const board = await runCli(['calibrate', '--checkerboard', '3x4@25', '--corners', '10,10;60,10;10,60']);
    expect(board.code).toBe(2);
    expect(board.stderr).toBe(
      'vision-station: calibrate: --corners: a 3x4 board has 6 inner corners, got 3\n',
    );
  });

  it('calibrate --checkerboard --image finds the corners in a photo of the board', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-board-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const truth = solveHomography([
      { pixel: [120, 110], mm: [0, 0] },
      { pixel: [520, 95], mm: [200, 0] },
      { pixel: [540, 385], mm: [200, 125] },
      { pixel: [105, 370], mm: [0, 125] },
    ]);
    if (!truth.ok) throw new Error(truth.message);
    const img = renderCheckerboard(
      { rows: 7, cols: 10, squareMm: 25 },
      invert3(truth.homography) as unknown as Homography3x3,
      640,
      480,
    );
    const photo = join(dir, 'board.png');
    await sharp(img.data, { raw: { width: 640, height: 480, channels: 1 } })
      .png()
      .toFile(photo);
    const r = await runCli(['calibrate', '--checkerboard', '7x10@25', '--image', photo]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { homography: number[]; rmsMm: number; residuals: unknown[] };
    expect(out.residuals).toHaveLength(54);
    expect(out.rmsMm).toBeLessThan(0.5);
    // The solved matrix maps a point of the table as the true one does, within 0.5 mm.
    const p = applyHomography(out.homography as unknown as Homography3x3, [330, 240]);
    const q = applyHomography(truth.homography, [330, 240]);
    expect(Math.hypot(p[0] - q[0], p[1] - q[1])).toBeLessThan(0.5);
    const blank = join(dir, 'blank.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } })
      .png()
      .toFile(blank);
    const none = await runCli(['calibrate', '--checkerboard', '7x10@25', '--image', blank]);
    expect([none.code, none.stderr]).toEqual([
      1,
      `vision-station: calibrate: ${blank}: no checkerboard corners in the picture (notFound)\n`,
    ]);
  });
});

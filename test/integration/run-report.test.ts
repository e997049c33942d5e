/**
 * `run` says what went wrong while it runs and in its summary, and its exit code says whether the
 * run was good: a video cut short half-way, and a PLC that goes away mid-run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/util/net';
import { jsonLines, runCli } from '../helpers/cli';
import { CLI, ROOT } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-run-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Summary {
  summary: {
    frames: number;
    plcErrors: number;
    serialErrors: number;
    reconnects: number;
    sourceWarnings: number;
  };
}

describe('run reports trouble', () => {
  it('a video cut short half-way: warnings on stderr as they happen, counted, exit 1', async () => {
    const full = join(tmp, 'full.mp4');
    const made = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25',
      '-frames:v',
      '100',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      full,
    ]);
    expect(made.status).toBe(0);
    const bytes = readFileSync(full);
    const cut = join(tmp, 'cut.mp4');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));

    const r = await runCli(['run', '--source', `file:${cut}?fps=max`, '--model', 'classic', '--json']);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    const summary = lines.at(-1) as Summary;
    expect(summary.summary.frames).toBeGreaterThan(0);
    expect(summary.summary.sourceWarnings).toBeGreaterThan(0);
    const err = r.stderr.trimEnd().split('\n');
    expect(err.filter((l) => l.startsWith('vision-station: source warning: ')).length).toBe(
      Math.min(summary.summary.sourceWarnings, 20) + (summary.summary.sourceWarnings >= 20 ? 1 : 0),
    );
    expect(err.some((l) => /partial file/.test(l))).toBe(true);
    expect(err.at(-1)).toMatch(
      new RegExp(
        `^vision-station: run: source failed: ${cut.replace(/\./g, '\\.')} ended early, the file is damaged or cut short: .*partial file`,
      ),
    );
  });

  it('a PLC that cannot be reached is described as such, not as "Bad PDU format"', async () => {
    const r = await runCli(
      ['run', '--source', 'synthetic:', '--model', 'classic', '--plc', 's7://127.0.0.1:1?db=1'],
      60_000,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vision-station: run: PLC 127.0.0.1:1 refused the connection: nothing accepts S7 connections on that port\n',
    );
  });

  it('a PLC killed mid-run: the loss on stderr as it happens, plcErrors in the summary, exit 1', async () => {
    const port = await freePort();
    const sim = spawn(process.execPath, [CLI, 'plc-sim', '--port', String(port), '--db', '1'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: sim.stderr });
      rl.on('line', (l) => {
        if (l.includes('listening')) resolve();
      });
      sim.once('exit', (code) => reject(new Error(`plc-sim exited (${code}) before listening`)));
    });
    const run = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--source',
        'synthetic:?size=320x180&fps=10',
        '--model',
        'classic',
        '--plc',
        `s7://127.0.0.1:${port}?rack=0&slot=1&db=1`,
        '--frames',
        '40',
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    run.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => run.once('close', (code) => resolve(code)));
    // Kill the PLC once results flow.
    await new Promise<void>((resolve, reject) => {
      run.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"frameId"')) resolve();
      });
      run.once('close', () => reject(new Error(`run ended before its first frame: ${stderr}`)));
    });
    const simExited = new Promise((r) => sim.once('exit', r));
    sim.kill('SIGKILL');
    await simExited;
    const code = await exited;
    expect(code).toBe(1);
    const summary = jsonLines(stdout).at(-1) as Summary;
    expect(summary.summary.plcErrors).toBe(1);
    const err = stderr.trimEnd().split('\n');
    expect(
      err.some((l) => new RegExp(`^vision-station: PLC 127\\.0\\.0\\.1:${port} .*: connection lost`).test(l)),
    ).toBe(true);
    expect(err.at(-1)).toBe(
      'vision-station: run: the PLC connection was lost (1 time) and was not back at the end',
    );
  });
});

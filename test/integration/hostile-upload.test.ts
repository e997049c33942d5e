/**
 * Hostile uploads against a real `serve` process: photos that claim 16000x16000 pixels (768 MB of
 * RGB once decoded) sent by several clients at once, plus large legitimate ones, must leave the
 * served process under 1 GB (its peak resident size, VmHWM, read from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsServerMessage } from '../../src/shared/api';
import { parseWire, stringifyWire } from '../../src/shared/wire';
import { CLI, ROOT } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-hostile-'));
let proc: ChildProcess;
let accessUrl: URL;
let hugeJpeg: Uint8Array;
let largeJpeg: Uint8Array;

const jpeg = async (side: number): Promise<Uint8Array> =>
  new Uint8Array(
    await sharp({ create: { width: side, height: side, channels: 3, background: { r: 90, g: 120, b: 150 } } })
      .jpeg({ quality: 50 })
      .toBuffer(),
  );

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

beforeAll(async () => {
  [hugeJpeg, largeJpeg] = await Promise.all([jpeg(16_000), jpeg(6_000)]);
  proc = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      '0',
      '--data-dir',
      tmp,
      '--source',
      'synthetic:?size=320x180&fps=2',
      '--model',
      'classic',
      '--plc',
      'off',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stderr!.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL`)));
    rl.on('line', (l) => {
      if (l.includes('"listening"')) resolve(l);
    });
  });
  accessUrl = new URL((JSON.parse(line) as { listening: string }).listening);
}, 120_000);

afterAll(async () => {
  if (proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

interface Client {
  ws: WebSocket;
  request(id: number, imageBytes: Uint8Array): void;
  response(id: number): Promise<Extract<WsServerMessage, { type: 'response' }>>;
}

async function client(): Promise<Client> {
  const ws = new WebSocket(`ws://${accessUrl.host}/ws${accessUrl.search}`, { origin: accessUrl.origin });
  const got = new Map<number, Extract<WsServerMessage, { type: 'response' }>>();
  const waiting = new Map<number, (m: Extract<WsServerMessage, { type: 'response' }>) => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = parseWire(data.toString()) as WsServerMessage;
    if (m.type !== 'response') return;
    const w = waiting.get(m.id);
    if (w) w(m);
    else got.set(m.id, m);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    request: (id, imageBytes) =>
      ws.send(stringifyWire({ id, method: 'detectImage', args: [{ imageBytes }] })),
    response: (id) =>
      new Promise((resolve) => {
        const m = got.get(id);
        if (m) resolve(m);
        else waiting.set(id, resolve);
      }),
  };
}

describe('hostile uploads to serve', () => {
  it('refuses 16000x16000 photos from several clients before decoding and stays under 1 GB', async () => {
    const clients = await Promise.all([client(), client(), client(), client()]);
    const rssBeforeKb = statusKb(proc.pid!, 'VmRSS');
    // Three rounds of four hostile uploads at once.
    for (let round = 0; round < 3; round++) {
      clients.forEach((c) => c.request(round, hugeJpeg));
      const answers = await Promise.all(clients.map((c) => c.response(round)));
      for (const a of answers) {
        expect(a.ok).toBe(false);
        expect(a.ok ? '' : a.error).toMatch(
          /^(the image is 16000x16000 pixels \(256\.0 MP\); the limit is 40 MP|2 image detections are running; try again shortly)$/,
        );
      }
      expect(answers.filter((a) => !a.ok && a.error.startsWith('the image is')).length).toBeGreaterThan(0);
    }

    // Refused before decoding: one decoded 16000x16000 photo alone would be 768 MB.
    const hostilePeakKb = statusKb(proc.pid!, 'VmHWM');
    expect(hostilePeakKb).toBeLessThan(400 * 1024);

    // A large but allowed photo is decoded; a second one from the same client while it runs is
    // refused, and so is a third client's while two are running.
    const [a, b, c] = clients as [Client, Client, Client, Client];
    a.request(10, largeJpeg);
    a.request(11, largeJpeg);
    b.request(10, largeJpeg);
    c.request(10, largeJpeg);
    expect(await a.response(11)).toMatchObject({
      ok: false,
      error: 'an image detection from this client is still running',
    });
    expect(await c.response(10)).toMatchObject({
      ok: false,
      error: '2 image detections are running; try again shortly',
    });
    expect(await a.response(10)).toMatchObject({ ok: true, result: { widthPx: 6000, heightPx: 6000 } });
    expect(await b.response(10)).toMatchObject({ ok: true, result: { widthPx: 6000, heightPx: 6000 } });

    const peakKb = statusKb(proc.pid!, 'VmHWM');
    // Reported for the figures (serve's resident size before the uploads and its peak).
    console.log(
      `serve VmRSS before uploads ${Math.round(rssBeforeKb / 1024)} MB, VmHWM after the hostile ones ${Math.round(hostilePeakKb / 1024)} MB, after two 36 MP ones ${Math.round(peakKb / 1024)} MB`,
    );
    expect(peakKb).toBeLessThan(1024 * 1024);
    for (const cl of clients) cl.ws.close();
  }, 180_000);
});

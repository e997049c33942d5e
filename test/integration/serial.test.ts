/**
 * The serial sink through a real pty pair from socat (no mocks): lines arrive and verify, and the
 * port vanishing (socat killed) and coming back (new socat, same link paths) is survived.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { parseSerialLine } from '../../src/main/core/serial-format';
import { SerialSink, parseSerialUri } from '../../src/main/serial/serial-sink';
import { openReader, startSocat, stopSocat } from '../helpers/socat';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vs-serial-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let seq = 1;
function frame(n: number): FrameResult {
  const now = Date.now();
  return {
    frameId: seq++,
    captureTimeMs: now,
    resultTimeMs: now,
    widthPx: 640,
    heightPx: 480,
    detections: Array.from({ length: n }, (_, i) => ({
      classId: i,
      className: 'c',
      score: 0.9 - i * 0.1,
      box: [i * 10, 0, i * 10 + 8, 6] as [number, number, number, number],
    })),
    modelName: 't',
    provider: 'cpu',
    timings: { preMs: 0, inferMs: 0, postMs: 0 },
  };
}

describe('serial sink over a socat pty pair', () => {
  it.each(['csv', 'json'] as const)('%s: lines parse and checksums verify', async (format) => {
    const a = join(dir, `${format}-a`);
    const b = join(dir, `${format}-b`);
    const { proc } = await startSocat(a, b);
    cleanups.push(() => stopSocat(proc));
    const reader = await openReader(b);
    cleanups.push(() => new Promise<void>((r) => (reader.port.isOpen ? reader.port.close(() => r()) : r())));
    const sink = new SerialSink({
      ...parseSerialUri(`${a}?baud=115200&parity=none&format=${format}`),
      reopenMinMs: 20,
      reopenMaxMs: 100,
    }).start();
    cleanups.push(() => sink.close());
    const sent: FrameResult[] = [];
    for (const n of [0, 2, 5]) {
      const f = frame(n);
      sent.push(f);
      const written = new Promise<void>((r) => sink.on('line', (l) => l.frameId === f.frameId && r()));
      sink.offer(f);
      await written;
    }
    await until(() => reader.lines.length >= 3, 5000, 'three lines');
    const parsed = reader.lines.map((l) => parseSerialLine(l)); // throws on a bad checksum
    expect(parsed.map((p) => p.frameId)).toEqual(sent.map((f) => f.frameId));
    expect(parsed.map((p) => p.count)).toEqual([0, 2, 5]);
    expect(parsed[2]!.objects[4]).toMatchObject({ classId: 4, x: 44, y: 3, width: 8, height: 6 });
    if (format === 'csv') for (const l of reader.lines) expect(l).toMatch(/^\$VSR,.*\*[0-9A-F]{2}\r$/);
  });

  it('survives the port vanishing and coming back at the same path', async () => {
    const a = join(dir, 'v-a');
    const b = join(dir, 'v-b');
    let socat = await startSocat(a, b);
    let reader = await openReader(b);
    const sink = new SerialSink({ path: a, reopenMinMs: 20, reopenMaxMs: 100, writeTimeoutMs: 500 }).start();
    cleanups.push(() => sink.close());
    const f1 = frame(1);
    sink.offer(f1);
    await until(() => reader.lines.length >= 1, 5000, 'first line');
    expect(parseSerialLine(reader.lines[0]!).frameId).toBe(f1.frameId);

    await stopSocat(socat.proc);
    // The sink notices (port closed, or the next write fails) and goes to reopening.
    sink.offer(frame(1));
    await until(() => sink.status().state !== 'open', 5000, 'port loss noticed');
    expect(sink.status().lastError).toBeTruthy();

    socat = await startSocat(a, b);
    cleanups.push(() => stopSocat(socat.proc));
    reader = await openReader(b);
    cleanups.push(() => new Promise<void>((r) => (reader.port.isOpen ? reader.port.close(() => r()) : r())));
    await until(() => sink.status().state === 'open', 5000, 'port reopened');
    const f3 = frame(3);
    sink.offer(f3);
    await until(
      () => reader.lines.some((l) => parseSerialLine(l).frameId === f3.frameId),
      5000,
      'line after reopen',
    );
    expect(parseSerialLine(reader.lines.at(-1)!).count).toBe(3);
  });
});

/**
 * The S7 sink against a real snap7 S7Server on 127.0.0.1 (the built-in simulator), no mocks.
 * Every wait is on an event or a condition with a timeout.
 */
import { createServer } from 'node:net';
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../src/shared/detection';
import type { FrameResult } from '../../src/shared/frame';
import { PlcSim } from '../../src/main/plc/plc-sim';
import { S7Sink, type PlcAlarm, type PlcLinkStatus, type PlcWriteInfo } from '../../src/main/plc/s7-sink';
import type { PlcSettingsInput } from '../../src/main/plc/plc-config';
import { measureS7WriteLatency } from '../../src/main/plc/s7-bench';
import { timeOfDayMs } from '../../src/main/core/plc/encode';
import { main as plcSimMain } from '../../src/main/cli/plc-sim';
import { PassThrough } from 'node:stream';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function nextEvent<T>(
  em: EventEmitter,
  name: string,
  pred: (v: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      em.off(name, on);
      reject(new Error(`no '${name}' event matching within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (v: T): void => {
      if (!pred(v)) return;
      clearTimeout(timer);
      em.off(name, on);
      resolve(v);
    };
    em.on(name, on);
  });
}

async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

function dets(n: number, seed = 0): Detection[] {
  return Array.from({ length: n }, (_, i) => ({
    classId: (i + seed) % 5,
    className: 'c',
    // distinct scores, so the expected order is known; highest first = index 0
    score: 0.9 - i * 0.05,
    box: [10 * i - 30, 7 * i - 5, 10 * i + 10 + seed, 7 * i + 25] as [number, number, number, number],
    trackId: i % 2 === 0 ? i + 100 : undefined,
  }));
}

let frameSeq = 1000;
function frame(n: number, captureTimeMs = Date.now(), seed = 0): FrameResult {
  return {
    frameId: frameSeq++,
    captureTimeMs,
    resultTimeMs: captureTimeMs,
    widthPx: 640,
    heightPx: 480,
    detections: dets(n, seed),
    modelName: 'test',
    provider: 'cpu',
    timings: { preMs: 0, inferMs: 0, postMs: 0 },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rig(
  simOpts: Partial<ConstructorParameters<typeof PlcSim>[0]>,
  sinkOpts: Partial<PlcSettingsInput>,
) {
  const port = await freePort();
  const maxObjects = simOpts.maxObjects ?? 16;
  const sim = new PlcSim({ port, dbNumber: 7, maxObjects, ...simOpts });
  await sim.start();
  cleanups.push(() => sim.close());
  const sink = new S7Sink({
    host: '127.0.0.1',
    port,
    dbNumber: 7,
    maxObjects,
    pollIntervalMs: 10,
    reconnectMinMs: 20,
    reconnectMaxMs: 100,
    ...sinkOpts,
  });
  cleanups.push(() => sink.close());
  return { sim, sink, port };
}

describe('S7 sink against S7Server on loopback', () => {
  // PDU 960: one write per block; PDU 480: 468 bytes do not fit, records go first, header last.
  it.each([960, 480])(
    'free-run (PDU %i): every field read back for changing counts and overflow',
    async (pduBytes) => {
      const { sim, sink } = await rig({ pduBytes }, {});
      const simFrames: number[] = [];
      sim.on('frame', (f) => simFrames.push(f.header.frameId));
      sink.start();
      await sink.whenConnected(5000);
      let lastLife = 0;
      for (const n of [3, 0, 17, 16, 1]) {
        const f = frame(n, Date.now(), n);
        const written = nextEvent<PlcWriteInfo>(sink, 'write', (w) => w.frameId === f.frameId);
        sink.offer(f);
        const w = await written;
        const d = sim.decode();
        const expectCount = Math.min(n, 16);
        expect(d.header.frameId).toBe(f.frameId);
        expect(d.header.lifeCounter).toBe(lastLife + 1);
        lastLife = d.header.lifeCounter;
        expect(d.header.requestId).toBe(0);
        expect(d.header.count).toBe(expectCount);
        expect(d.header.captureTimeOfDayMs).toBe(
          timeOfDayMs(f.captureTimeMs, -new Date(f.captureTimeMs).getTimezoneOffset()),
        );
        expect(d.header.latencyMs).toBe(Math.max(0, w.writeTimeMs - f.captureTimeMs));
        expect(d.status).toEqual({
          cameraOk: true,
          modelOk: true,
          resultsValid: true,
          overflow: n > 16,
          stale: false,
        });
        expect(d.tailZeroed).toBe(true);
        d.records.forEach((r, i) => {
          const det = f.detections[i]!;
          expect(r.classId).toBe(det.classId);
          expect(r.trackId).toBe(det.trackId ?? -1);
          expect(r.score).toBe(Math.fround(det.score));
          expect(r.x).toBe(Math.fround((det.box[0] + det.box[2]) / 2));
          expect(r.y).toBe(Math.fround((det.box[1] + det.box[3]) / 2));
          expect(r.width).toBe(Math.fround(det.box[2] - det.box[0]));
          expect(r.height).toBe(Math.fround(det.box[3] - det.box[1]));
          expect(r.angleDeg).toBe(0);
        });
      }
      // The simulator saw each block once, in order (its own decode of the header write).
      await until(() => simFrames.length >= 5, 2000, 'simulator frames');
      expect(simFrames.slice(-5)).toEqual(Array.from({ length: 5 }, (_, i) => frameSeq - 5 + i));
      expect(sink.status()).toMatchObject({ state: 'connected', lifeCounter: 5, lastError: null });
    },
  );

  it('reports a DB that is too small at connect, with what it needs', async () => {
    const { sink } = await rig({ maxObjects: 16, dbSizeBytes: 100, strictBounds: true }, {});
    const alarm = nextEvent<PlcAlarm>(sink, 'alarm');
    sink.start();
    const a = await alarm;
    expect(a.kind).toBe('dbTooSmall');
    expect(a.message).toMatch(/DB7 is missing or too small: .*needs 480 bytes/);
    await expect(sink.whenConnected(200)).rejects.toThrow(/too small/);
  });

  it('ack: no second write before the ack; alarm after the timeout, pending result kept', async () => {
    const { sim, sink } = await rig({ maxObjects: 4 }, { handshake: 'ack', ackTimeoutMs: 400 });
    const writes: PlcWriteInfo[] = [];
    sink.on('write', (w) => writes.push(w));
    const alarms: PlcAlarm[] = [];
    sink.on('alarm', (a) => alarms.push(a));
    sink.start();
    await sink.whenConnected(5000);
    const a = frame(1);
    sink.offer(a);
    await until(() => writes.length === 1, 5000, 'first write');
    const b = frame(2);
    sink.offer(b);
    // Several control reads without the ack: nothing more is written.
    const reads0 = sink.status().controlReads;
    await until(() => sink.status().controlReads >= reads0 + 5, 5000, 'control reads');
    expect(writes).toHaveLength(1);
    await sim.setControl({ ackFrameId: a.frameId });
    await until(() => writes.length === 2, 5000, 'write after ack');
    expect(writes[1]!.frameId).toBe(b.frameId);
    expect(alarms).toHaveLength(0);
    // No ack for b: the alarm comes after ackTimeoutMs and the pending c is then written.
    const c = frame(3);
    sink.offer(c);
    const alarm = await nextEvent<PlcAlarm>(sink, 'alarm', () => true, 3000);
    expect(alarm).toMatchObject({ kind: 'ackTimeout', frameId: b.frameId });
    expect(alarm.timeMs - writes[1]!.writeTimeMs).toBeGreaterThanOrEqual(400);
    await until(() => writes.length === 3, 3000, 'write after alarm');
    expect(writes[2]!.frameId).toBe(c.frameId);
    expect(sim.decode().header.frameId).toBe(c.frameId);
  });

  it('ack: the simulator plays the PLC side, frames flow without alarms', async () => {
    const { sim, sink } = await rig({ maxObjects: 4, mode: 'ack' }, { handshake: 'ack', ackTimeoutMs: 2000 });
    const alarms: PlcAlarm[] = [];
    sink.on('alarm', (a) => alarms.push(a));
    sink.start();
    await sink.whenConnected(5000);
    for (let i = 0; i < 5; i++) {
      const f = frame(i);
      const w = nextEvent<PlcWriteInfo>(sink, 'write', (x) => x.frameId === f.frameId);
      sink.offer(f);
      await w;
      await until(() => sim.decode().control?.ackFrameId === f.frameId, 3000, 'simulator ack');
    }
    expect(alarms).toHaveLength(0);
  });

  it('trigger: each triggerCounter change answered once, requestId echoes it, frame captured after the trigger', async () => {
    const { sim, sink } = await rig({ maxObjects: 4 }, { handshake: 'trigger', triggerTimeoutMs: 3000 });
    const writes: PlcWriteInfo[] = [];
    sink.on('write', (w) => writes.push(w));
    sink.start();
    await sink.whenConnected(5000);
    // A camera producing frames all the time.
    const captured = new Map<number, number>();
    const camera = setInterval(() => {
      const f = frame(2);
      captured.set(f.frameId, f.captureTimeMs);
      sink.offer(f);
    }, 5);
    cleanups.push(async () => clearInterval(camera));
    // Baseline read first, so the counter's start value is not taken as a request.
    await until(() => sink.status().controlReads >= 2, 5000, 'baseline');
    expect(writes).toHaveLength(0);
    for (let k = 1; k <= 3; k++) {
      const before = Date.now();
      const counter = await sim.trigger();
      expect(counter).toBe(k);
      await until(() => writes.length === k, 5000, `answer to trigger ${k}`);
      const d = sim.decode();
      expect(d.header.requestId).toBe(k);
      expect(d.header.frameId).toBe(writes[k - 1]!.frameId);
      expect(captured.get(d.header.frameId)!).toBeGreaterThan(before);
      expect(d.status.resultsValid).toBe(true);
      // Many more polls: still exactly one answer per change.
      const reads = sink.status().controlReads;
      await until(() => sink.status().controlReads >= reads + 4, 5000, 'more reads');
      expect(writes).toHaveLength(k);
    }
    expect(writes.map((w) => w.requestId)).toEqual([1, 2, 3]);
  });

  it('trigger: a frame captured before the trigger is not the answer, even when offered after it', async () => {
    const { sim, sink } = await rig({ maxObjects: 4 }, { handshake: 'trigger', triggerTimeoutMs: 5000 });
    const writes: PlcWriteInfo[] = [];
    sink.on('write', (w) => writes.push(w));
    sink.start();
    await sink.whenConnected(5000);
    await until(() => sink.status().controlReads >= 2, 5000, 'baseline');
    const early = frame(1, Date.now() - 1);
    expect(await sim.trigger()).toBe(1);
    // Two reads completed after the counter went up: the sink has seen the request.
    const reads = sink.status().controlReads;
    await until(() => sink.status().controlReads >= reads + 2, 5000, 'the read that sees the trigger');
    expect(writes).toHaveLength(0);
    sink.offer(early);
    const late = frame(2, Date.now() + 1);
    sink.offer(late);
    await until(() => writes.length === 1, 5000, 'the answer');
    expect(writes[0]).toMatchObject({ frameId: late.frameId, requestId: 1, valid: true });
    expect(sim.decode().header).toMatchObject({ frameId: late.frameId, requestId: 1 });
    expect(sink.status().droppedResults).toBe(1);
  });

  it('trigger: the simulator raises the counter on its own and each is answered', async () => {
    const { sim, sink } = await rig(
      { maxObjects: 4, mode: 'trigger', triggerIntervalMs: 40 },
      { handshake: 'trigger' },
    );
    const camera = setInterval(() => sink.offer(frame(1)), 5);
    cleanups.push(async () => clearInterval(camera));
    const simFrames: number[] = [];
    sim.on('frame', (f) => simFrames.push(f.header.requestId));
    sink.start();
    await until(() => simFrames.length >= 3, 5000, 'three answered triggers');
    for (let i = 1; i < simFrames.length; i++) expect(simFrames[i]!).toBeGreaterThan(simFrames[i - 1]!);
  });

  it('recipe: a PLC request is reported once and recipeActive is written back', async () => {
    const { sim, sink } = await rig({ maxObjects: 2 }, {});
    const requests: number[] = [];
    sink.on('recipeRequest', (slot) => {
      requests.push(slot);
      sink.setRecipeActive(slot); // the app does this after the model hot swap
    });
    sink.start();
    await sink.whenConnected(5000);
    const active = nextEvent<number>(sim, 'recipeActive', (v) => v === 3);
    await sim.setControl({ recipeRequest: 3 });
    expect(await active).toBe(3);
    expect(sim.decode().control).toMatchObject({ recipeRequest: 3, recipeActive: 3 });
    const reads = sink.status().controlReads;
    await until(() => sink.status().controlReads >= reads + 3, 5000, 'more reads');
    expect(requests).toEqual([3]);
  });

  it('server stopped and restarted: reconnects, lifeCounter continues, nothing stale written as valid', async () => {
    const { sim, sink } = await rig({ maxObjects: 4 }, { stalenessLimitMs: 300 });
    const links: PlcLinkStatus['state'][] = [];
    sink.on('link', (s) => links.push(s.state));
    sink.start();
    await sink.whenConnected(5000);
    for (let i = 0; i < 3; i++) {
      const f = frame(2);
      const w = nextEvent<PlcWriteInfo>(sink, 'write', (x) => x.frameId === f.frameId);
      sink.offer(f);
      await w;
    }
    const lifeBefore = sim.decode().header.lifeCounter;
    expect(lifeBefore).toBe(3);
    await sim.stop();
    await until(() => sink.status().state !== 'connected', 5000, 'link loss seen');
    // A result captured before the gap and offered while the PLC is away.
    const old = frame(3, Date.now() - 2000);
    sink.offer(old);
    const first = nextEvent<PlcWriteInfo>(sink, 'write', () => true, 5000);
    await sim.start();
    const w = await first;
    expect(w.frameId).toBe(old.frameId);
    let d = sim.decode();
    expect(d.header.lifeCounter).toBe(lifeBefore + 1);
    expect(d.header.frameId).toBe(old.frameId);
    expect(d.status).toMatchObject({ resultsValid: false, stale: true });
    expect(d.header.count).toBe(0);
    expect(d.tailZeroed).toBe(true);
    const fresh = frame(1);
    const w2 = nextEvent<PlcWriteInfo>(sink, 'write', (x) => x.frameId === fresh.frameId);
    sink.offer(fresh);
    await w2;
    d = sim.decode();
    expect(d.header.lifeCounter).toBe(lifeBefore + 2);
    expect(d.status).toMatchObject({ resultsValid: true, stale: false });
    expect(links).toContain('disconnected');
    expect(links.at(-1)).toBe('connected');
  });

  it('write latency of a full 16-record block on loopback is measurable', async () => {
    const port = await freePort();
    const r = await measureS7WriteLatency({ port, writes: 50 });
    expect(r.writes).toBe(50);
    expect(r.bytesPerWrite).toBe(468);
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  });

  it('plc-sim command prints one decoded JSON line per block the sink writes', async () => {
    const port = await freePort();
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const abort = new AbortController();
    let listening!: () => void;
    const up = new Promise<void>((r) => (listening = r));
    const exit = plcSimMain(['--port', String(port), '--db', '3', '--max-objects', '4', '--mode', 'ack'], {
      stdout: out,
      stderr: new PassThrough(),
      signal: abort.signal,
      onListening: () => listening(),
    });
    await up;
    const sink = new S7Sink({
      host: '127.0.0.1',
      port,
      dbNumber: 3,
      maxObjects: 4,
      handshake: 'ack',
      pollIntervalMs: 10,
      reconnectMinMs: 20,
    });
    cleanups.push(() => sink.close());
    sink.start();
    const sent: FrameResult[] = [];
    for (let i = 0; i < 3; i++) {
      const f = frame(i + 1);
      sent.push(f);
      const w = nextEvent<PlcWriteInfo>(sink, 'write', (x) => x.frameId === f.frameId);
      sink.offer(f);
      await w;
    }
    await until(() => text.split('\n').filter(Boolean).length >= 3, 3000, 'three JSON lines');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.frameId)).toEqual(sent.map((f) => f.frameId));
    expect(lines.map((l) => l.count)).toEqual([1, 2, 3]);
    expect(lines[2].records[0]).toMatchObject({
      classId: 0,
      trackId: 100,
      x: -10,
      y: 10,
      width: 40,
      height: 30,
    });
    abort.abort();
    expect(await exit).toBe(0);
  });
});

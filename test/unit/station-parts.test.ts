/** The station's parts with one job each, driven by a clock the test moves. */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmKind, FrameMessage } from '../../src/shared/api';
import type { FrameResult } from '../../src/shared/frame';
import type { OutputEvents, OutputSinks } from '../../src/main/app/outputs';
import type { Frame } from '../../src/main/capture/types';
import { FpsMonitor } from '../../src/main/station/fps-monitor';
import { PlcStatusTracker } from '../../src/main/station/plc-status';
import { PreviewEncoder } from '../../src/main/station/preview-encoder';
import { SettingsStore } from '../../src/main/station/settings-store';
import { ManualClock } from '../helpers/manual-clock';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('FpsMonitor', () => {
  it('raises only after the rate stayed below target for the whole delay, and clears at once', () => {
    const m = new FpsMonitor(4, 10_000);
    expect(m.update(3, true, 0)).toEqual({ kind: 'pending' });
    expect(m.update(3, true, 9_999)).toEqual({ kind: 'pending' });
    expect(m.update(3.5, true, 10_000)).toEqual({
      kind: 'raise',
      message: '3.5 fps, below the 4 fps target for 10 s or more',
    });
    expect(m.update(4, true, 11_000)).toEqual({ kind: 'clear' });
    // The delay starts again after a recovery.
    expect(m.update(1, true, 12_000)).toEqual({ kind: 'pending' });
    expect(m.update(1, true, 21_999)).toEqual({ kind: 'pending' });
  });

  it('says nothing about fps while the camera is not live (that has its own alarm)', () => {
    const m = new FpsMonitor(4, 1_000);
    expect(m.update(0, false, 0)).toEqual({ kind: 'clear' });
    expect(m.update(0, false, 50_000)).toEqual({ kind: 'clear' });
    expect(m.update(0, true, 50_000)).toEqual({ kind: 'pending' });
  });
});

class FakeOutputs extends EventEmitter<OutputEvents> {
  plc = {} as OutputSinks['plc'];
  sim = null;
  sinks = [];
  setHealth(): void {}
  async close(): Promise<void> {}
}

function recordAlarms() {
  const log: string[] = [];
  return {
    log,
    sink: {
      raise: (kind: AlarmKind, message: string) => log.push(`raise ${kind}: ${message}`),
      clear: (kind: AlarmKind) => log.push(`clear ${kind}`),
    },
  };
}

describe('PlcStatusTracker', () => {
  const link = (state: 'connected' | 'connecting' | 'disconnected', lastError: string | null = null) => ({
    state,
    endpoint: '10.0.0.5:102 rack 0 slot 1 DB 7',
    lifeCounter: 5,
    writesPerSec: 10,
    lastWriteTimeMs: null,
    lastError,
  });

  it('raises plcDown only when the link stays down past the grace time', () => {
    const clock = new ManualClock();
    const alarms = recordAlarms();
    const t = new PlcStatusTracker(alarms.sink, clock, 3000);
    const out = new FakeOutputs();
    t.attach(out as unknown as OutputSinks, {
      uri: 's7://10.0.0.5?db=7',
      handshake: 'free-run',
      maxObjects: 4,
    });
    expect(t.status().state).toBe('connecting');
    out.emit('plcLink', link('connected') as never);
    out.emit('plcLink', link('disconnected', 'connection reset') as never);
    clock.advance(2999);
    out.emit('plcLink', link('connected') as never);
    clock.advance(10_000);
    expect(alarms.log.filter((l) => l.startsWith('raise'))).toEqual([]);

    out.emit('plcLink', link('disconnected', 'connection reset') as never);
    clock.advance(3000);
    expect(alarms.log.at(-1)).toBe(
      'raise plcDown: PLC 10.0.0.5:102 rack 0 slot 1 DB 7 not reachable: connection reset',
    );
    out.emit('plcLink', link('connected') as never);
    expect(alarms.log.at(-1)).toBe('clear plcDown');
    expect(t.status()).toMatchObject({ state: 'connected', lifeCounter: 5, writesPerSec: 10 });
  });

  it('ignores events of outputs it no longer follows, and cancels their grace timer', () => {
    const clock = new ManualClock();
    const alarms = recordAlarms();
    const t = new PlcStatusTracker(alarms.sink, clock, 3000);
    const old = new FakeOutputs();
    t.attach(old as unknown as OutputSinks, { uri: 'sim', handshake: 'free-run', maxObjects: 4 });
    old.emit('plcLink', link('disconnected', 'gone') as never);
    t.attach(null, { uri: null, handshake: 'free-run', maxObjects: 4 });
    expect(clock.pendingTimers).toBe(0);
    old.emit('plcLink', link('disconnected', 'gone') as never);
    clock.advance(60_000);
    expect(alarms.log.filter((l) => l.startsWith('raise'))).toEqual([]);
    expect(t.status().state).toBe('off');
  });
});

describe('PlcStatusTracker: the link state comes from completed writes', () => {
  it('turns amber when writes stop completing while results flow, alarms after the grace time, and recovers', () => {
    const clock = new ManualClock();
    const alarms = recordAlarms();
    const t = new PlcStatusTracker(alarms.sink, clock, 3000);
    const out = new FakeOutputs();
    t.attach(out as unknown as OutputSinks, { uri: 'sim', handshake: 'free-run', maxObjects: 4 });
    out.emit('plcLink', {
      state: 'connected',
      endpoint: 'e',
      lifeCounter: 1,
      writesPerSec: 10,
      lastWriteTimeMs: null,
      lastError: null,
    } as never);
    const write = () =>
      out.emit('plcWrite', {
        frameId: 1,
        requestId: 0,
        lifeCounter: 2,
        count: 0,
        valid: true,
        stale: false,
        overflow: false,
        writeTimeMs: clock.now(),
        durationMs: 1,
        bytes: new Uint8Array(20 + 28 * 4),
        captureTimeMs: clock.now(),
      } as never);
    write();
    clock.advance(900);
    t.tick(true);
    expect(t.status().state).toBe('connected');
    clock.advance(200); // 1.1 s without a completed write while results flow
    t.tick(true);
    expect(t.status().state).toBe('stalled');
    expect(alarms.log.filter((l) => l.startsWith('raise'))).toEqual([]);
    clock.advance(2000);
    t.tick(true);
    expect(alarms.log.at(-1)).toBe('raise plcDown: PLC e: no write completed for 3 s');
    write();
    expect(t.status().state).toBe('connected');
    expect(alarms.log.at(-1)).toBe('clear plcDown');
    // No results to write: silence is not a stall.
    clock.advance(10_000);
    t.tick(false);
    expect(t.status().state).toBe('connected');
  });
});

describe('PreviewEncoder', () => {
  function frameOf(widthPx: number, heightPx: number) {
    let held = 0;
    const frame = {
      frameId: 1,
      captureTimeMs: 0,
      widthPx,
      heightPx,
      rgb: new Uint8Array(widthPx * heightPx * 3).fill(128),
      retain: () => void held++,
      release: () => void held--,
    } as unknown as Frame;
    return { frame, held: () => held };
  }
  const result = (frameId: number): FrameResult => ({
    frameId,
    captureTimeMs: 0,
    resultTimeMs: 0,
    widthPx: 1920,
    heightPx: 1080,
    detections: [],
    modelName: 'm',
    provider: 'cpu',
    timings: { preMs: 0, inferMs: 0, postMs: 0 },
  });

  it('encodes nothing without a viewer, newest only while busy, and at most maxFps', async () => {
    let t = 0;
    const enc = new PreviewEncoder({ maxSidePx: 64, maxFps: 10, now: () => t });
    const { frame, held } = frameOf(128, 72);
    expect(enc.wants()).toBe(false);
    expect(enc.offer(result(1), frame, null)).toBe(false); // nobody watches
    enc.subscribers = 1;
    expect(enc.wants()).toBe(true);
    const sent = new Promise<FrameMessage>((r) => enc.once('frame', r));
    expect(enc.offer(result(2), frame, null)).toBe(true);
    // The ring buffer is not kept (a held buffer stalls an fps=max decoder): the picture was copied,
    // so the source overwriting it at once does not reach the JPEG.
    expect(held()).toBe(0);
    frame.rgb.fill(0);
    expect(enc.wants()).toBe(false);
    expect(enc.offer(result(3), frame, null)).toBe(false); // busy: skipped, not queued
    const msg = await sent;
    expect(msg.frameId).toBe(2);
    const { channels } = await sharp(Buffer.from(msg.previewJpeg)).stats();
    expect(channels.map((c) => Math.round(c.mean))).toEqual([128, 128, 128]);
    // Positions refer to camera pixels, whatever size the frame came in.
    expect([msg.widthPx, msg.heightPx]).toEqual([1920, 1080]);
    expect(Array.from(msg.previewJpeg.subarray(0, 2))).toEqual([0xff, 0xd8]);
    t = 50; // 50 ms after the last one started: over the 10 fps cap
    expect(enc.wants()).toBe(false);
    expect(enc.offer(result(4), frame, null)).toBe(false);
    t = 100;
    expect(enc.wants()).toBe(true);
    expect(enc.offer(result(5), frame, null)).toBe(true);
    await new Promise((r) => enc.once('frame', r));
    expect(enc.skipped).toBe(2);
  });

  /** A watched encoder at 10 a second on an injected clock; `offerAt` offers a picture at a time. */
  function cappedEncoder() {
    let t = 0;
    const enc = new PreviewEncoder({ maxSidePx: 64, maxFps: 10, now: () => t });
    enc.subscribers = 1;
    const { frame } = frameOf(16, 9);
    const started: number[] = [];
    const offerAt = async (at: number): Promise<void> => {
      t = at;
      if (enc.offer(result(at), frame, null)) {
        started.push(at);
        await new Promise((r) => enc.once('frame', r));
      }
    };
    return { enc, started, offerAt };
  }

  it('takes pictures that come at about the cap, a little early, on a grid that holds the cap on average', async () => {
    const { started, offerAt } = cappedEncoder();
    // A decoder making the preview of every 3rd frame of a 30 fps camera, with some jitter.
    for (const at of [0, 98, 198, 250, 290, 330, 380, 700, 760, 800]) await offerAt(at);
    // Due at 100, 200, 300, 400 (taken from 75, 175, ...); 700 is far behind: the grid starts
    // again there (800 due, 760 too early).
    expect(started).toEqual([0, 98, 198, 290, 380, 700, 800]);
  });

  it('takes another cap from the next preview on (the live view yielding to inference)', async () => {
    const { enc, started, offerAt } = cappedEncoder();
    await offerAt(0);
    // 1 a second: the next is due 1000 ms after the last one (taken from 750), not 100 ms; the one
    // after it at 2000.
    enc.setMaxFps(1);
    for (const at of [100, 500, 740, 760, 1200]) await offerAt(at);
    // Back to 10: due at 1100; 1210 is far behind it, so the grid starts again there.
    enc.setMaxFps(10);
    for (const at of [1210, 1260, 1290]) await offerAt(at);
    expect(started).toEqual([0, 760, 1210, 1290]);
  });
});

describe('SettingsStore', () => {
  /** A fresh folder, removed after the test, and the settings file's path in it. */
  function settingsDir(): { dir: string; path: string } {
    const dir = mkdtempSync(join(tmpdir(), 'vs-store-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { dir, path: join(dir, 'settings.json') };
  }

  it('keeps a damaged file aside, starts on defaults and writes changes atomically in order', async () => {
    const { dir, path } = settingsDir();
    // Cut short: not settings at all.
    writeFileSync(path, '{"params": {"confThreshold": 0.5}');
    const store = new SettingsStore(
      path,
      () => {},
      () => 42,
    );
    const { settings, problem } = await store.load();
    expect(problem).toMatch(
      new RegExp(
        `^settings ${path} is not valid JSON: .*; started on defaults, the file was kept as ${path}\\.invalid-42$`,
      ),
    );
    expect(settings.params.confThreshold).toBe(0.25);
    expect(readdirSync(dir)).toEqual(['settings.json.invalid-42']);
    for (const c of [0.3, 0.4, 0.5])
      store.persist({ ...settings, params: { ...settings.params, confThreshold: c } });
    await store.flush();
    expect(JSON.parse(readFileSync(path, 'utf8')).params.confThreshold).toBe(0.5);
    expect(readdirSync(dir).sort()).toEqual(['settings.json', 'settings.json.invalid-42']);
  });

  it('resets only the sections that fail, keeps the rest and writes the repaired file at once', async () => {
    const { dir, path } = settingsDir();
    const original = JSON.stringify({
      params: { confThreshold: 0.6 },
      ui: { locale: 'ko' },
      cameras: [{ name: 'main', source: 'synthetic:' }, { source: 42 }],
      futureSection: { x: 1 },
    });
    writeFileSync(path, original);
    const store = new SettingsStore(
      path,
      () => {},
      () => 42,
    );
    const { settings, problem } = await store.load();
    expect(problem).toMatch(
      new RegExp(
        `^settings ${path}: .*; cameras, futureSection reset to defaults, the other settings kept; ` +
          `the file as it was is kept as ${path}\\.invalid-42$`,
      ),
    );
    expect([settings.params.confThreshold, settings.ui.locale, settings.cameras]).toEqual([0.6, 'ko', []]);
    expect(readdirSync(dir).sort()).toEqual(['settings.json', 'settings.json.invalid-42']);
    expect(readFileSync(`${path}.invalid-42`, 'utf8')).toBe(original);
    const repaired = JSON.parse(readFileSync(path, 'utf8'));
    expect([
      repaired.params.confThreshold,
      repaired.ui.locale,
      repaired.cameras,
      'futureSection' in repaired,
    ]).toEqual([0.6, 'ko', [], false]);
    // The next start reads it as it is.
    expect((await new SettingsStore(path, () => {}).load()).problem).toBeNull();
  });

  it('does not piece together a file of another version', async () => {
    const { dir, path } = settingsDir();
    writeFileSync(path, JSON.stringify({ version: 2, params: { confThreshold: 0.6 } }));
    const { settings, problem } = await new SettingsStore(
      path,
      () => {},
      () => 7,
    ).load();
    expect(problem).toMatch(/started on defaults, the file was kept as .*settings\.json\.invalid-7$/);
    expect(settings.params.confThreshold).toBe(0.25);
    expect(readdirSync(dir)).toEqual(['settings.json.invalid-7']);
  });
});

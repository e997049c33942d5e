import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameMessage, StatsSnapshot } from '../../src/shared/api';
import { Station } from '../../src/main/station/station';
import { ROOT, WORKER_JS } from '../helpers/paths';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startStation(
  settings: object | string,
): Promise<{ station: Station; dir: string; logs: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vs-station-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'settings.json'),
    typeof settings === 'string' ? settings : JSON.stringify(settings),
  );
  const logs: string[] = [];
  const station = new Station({
    backend: 'websocket',
    version: 't',
    dataDir: dir,
    projectModelsDir: join(dir, 'none'),
    workerPath: WORKER_JS,
    log: (l) => logs.push(l),
  });
  await station.start();
  cleanups.push(() => station.close());
  return { station, dir, logs };
}

function frameWithObjects(station: Station): Promise<FrameMessage> {
  station.frameSubscribers = 1;
  return new Promise((resolve) => {
    const on = (f: FrameMessage): void => {
      if (f.detections.length === 0) return;
      station.off('frame', on);
      resolve(f);
    };
    station.on('frame', on);
  });
}

/** The live view's rate in each stats message ("fps" or "fps yielding") until `enough`. */
function liveViewRates(
  station: Station,
  enough: (rates: string[]) => boolean,
  withinMs: number,
): Promise<string[]> {
  const rates: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      station.off('stats', on);
      reject(new Error(`the live view's rate did not settle within ${withinMs} ms: ${rates.join(', ')}`));
    }, withinMs);
    const on = (s: StatsSnapshot): void => {
      rates.push(`${s.liveView.fps}${s.liveView.yielding ? ' yielding' : ''}`);
      if (!enough(rates)) return;
      clearTimeout(timer);
      station.off('stats', on);
      resolve(rates);
    };
    station.on('stats', on);
  });
}

describe('station', () => {
  it('sends each frame with its detections and, with a calibration, the millimetres the PLC gets', async () => {
    const { station } = await startStation({
      source: 'synthetic:?size=640x360&fps=15',
      modelId: 'classic',
      plc: { uri: null, homographyPxToMm: [0.25, 0, 10, 0, 0.25, 20, 0, 0, 1] },
    });
    const f = await frameWithObjects(station);
    expect(f.previewJpeg.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    expect(f.placementsMm).toHaveLength(f.detections.length);
    const d = f.detections[0]!;
    const mm = f.placementsMm![0]!;
    expect(mm.x).toBeCloseTo(((d.box[0] + d.box[2]) / 2) * 0.25 + 10, 6);
    expect(mm.y).toBeCloseTo(((d.box[1] + d.box[3]) / 2) * 0.25 + 20, 6);
    expect(mm.width).toBeCloseTo((d.box[2] - d.box[0]) * 0.25, 6);
  });

  it('slows the live view to 1 picture a second while inference has no time to spare, unless told to keep its rate', async () => {
    const clip = join(ROOT, 'resources', 'demo', 'bottle-detection.mp4');
    const { station } = await startStation({
      source: `file:${clip}?loop=1&fps=max`,
      modelId: 'classic',
      plc: { uri: null },
    });
    station.frameSubscribers = 1;
    let previews = 0;
    station.on('frame', () => previews++);
    // A file read at fps=max goes at inference's pace: the rate halves each second down to 1.
    const seen = await liveViewRates(station, (r) => r.at(-1) === '1 yielding', 20_000);
    const rates = seen.filter((r, i) => r !== seen[i - 1]);
    expect(rates.filter((r) => r !== '10')).toEqual(['5 yielding', '2 yielding', '1 yielding']);
    expect((await station.getSnapshot()).stats.liveView).toEqual({ fps: 1, yielding: true });
    // Still a live view: pictures keep coming.
    const before = previews;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no 2 more pictures within 10 s at the floor')),
        10_000,
      );
      const on = (): void => {
        if (previews < before + 2) return;
        clearTimeout(timer);
        station.off('frame', on);
        resolve();
      };
      station.on('frame', on);
    });
    // Steady rate chosen: back to the cap at once, and it stays there.
    expect((await station.setUiSettings({ liveViewMode: 'steady' })).liveViewMode).toBe('steady');
    const steady = await liveViewRates(station, (r) => r.length === 3, 10_000);
    expect(steady).toEqual(['10', '10', '10']);
    expect((await station.getSnapshot()).ui.liveViewMode).toBe('steady');
  });

  it('without a calibration frames carry no millimetres', async () => {
    const { station } = await startStation({
      source: 'synthetic:?size=640x360&fps=15',
      modelId: 'classic',
      plc: { uri: null },
    });
    expect((await frameWithObjects(station)).placementsMm).toBeNull();
  });

  it('starts on defaults with an alarm when its settings file is damaged, keeping the file aside', async () => {
    const { station, dir } = await startStation('{"source": "synthetic:", "params": {"confThreshold": 9}}');
    const snap = await station.getSnapshot();
    expect(snap.params.confThreshold).toBe(0.25);
    expect(snap.alarms.map((a) => a.kind)).toEqual(['settings']);
    expect(snap.alarms[0]!.message).toMatch(/params\.confThreshold.*kept as .*settings\.json\.invalid-\d+/);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).some((n) => n.startsWith('settings.json.invalid-'))).toBe(true);
  });

  it('keeps the running source when the new one gives no frame, and switches once a good one does', async () => {
    const { station, dir } = await startStation({
      source: 'synthetic:?size=320x180&fps=15',
      modelId: 'classic',
      plc: { uri: null },
    });
    await frameWithObjects(station);
    // A file the station may read (in its recordings folder) that is no video: ffmpeg fails on it.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'recordings'));
    writeFileSync(join(dir, 'recordings', 'not-a-video.mp4'), 'this is no video');
    await expect(
      station.setSource({ uri: `file:${join(dir, 'recordings', 'not-a-video.mp4')}` }),
    ).rejects.toThrow(/the running source was kept$/);
    const snap = await station.getSnapshot();
    expect(snap.source.uri).toBe('synthetic:?size=320x180&fps=15');
    expect(snap.source.state).toBe('live');
    // Frames keep coming from the old source.
    const old = await frameWithObjects(station);
    expect(old.widthPx).toBe(320);

    const switched = await station.setSource({ uri: 'synthetic:?size=640x360&fps=15' });
    expect(switched).toMatchObject({ uri: 'synthetic:?size=640x360&fps=15', state: 'live', demo: false });
    const next = await new Promise<FrameMessage>((resolve) => {
      const on = (f: FrameMessage): void => {
        if (f.widthPx !== 640) return;
        station.off('frame', on);
        resolve(f);
      };
      station.on('frame', on);
    });
    expect(next.heightPx).toBe(360);
    // The new source numbers its frames from 1, the station keeps counting up (PLC frameId).
    expect(next.frameId).toBeGreaterThan(old.frameId);
  });
});

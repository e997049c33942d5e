/**
 * The station with two additional synthetic cameras (settings `cameras`), each writing to its own
 * DB of one real S7 server; listCameras, previews, and a refused setCameras that leaves the running
 * cameras running. Counts only, never timings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../src/main/station/station';
import { timeOfDayMs } from '../../src/main/core/plc/encode';
import type { CameraInfo } from '../../src/shared/api';
import { sharedModel } from '../helpers/paths';
import { startServer } from '../helpers/s7-db-server';
import { testStation } from '../helpers/station';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MODEL = sharedModel('yolo11n-int8-coco-320.onnx');

/** Resolves with the cameras when `ok` holds at a stats tick; fails naming what did not happen. */
function camerasWhen(
  station: Station,
  what: string,
  ok: (list: CameraInfo[]) => boolean,
): Promise<CameraInfo[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      station.off('stats', on);
      reject(new Error(`timed out waiting for ${what}`));
    }, 30_000);
    const on = (): void => {
      void station.listCameras().then((list) => {
        if (!ok(list)) return;
        clearTimeout(timer);
        station.off('stats', on);
        resolve(list);
      });
    };
    station.on('stats', on);
  });
}

describe('station with additional cameras', () => {
  it('runs them beside the main camera, each into its own DB; an invalid list is refused', async () => {
    const server = await startServer([21, 22]);
    cleanups.push(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'vs-station-cameras-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cameras = [
      {
        name: 'left',
        source: 'synthetic:?size=320x240&fps=12',
        model: MODEL,
        conf: 0.05,
        plc: `s7://127.0.0.1:${server.port}?db=21`,
      },
      {
        name: 'right',
        source: 'synthetic:?size=352x288&fps=9',
        model: MODEL,
        plc: `s7://127.0.0.1:${server.port}?db=22`,
      },
    ];
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=10',
        modelId: 'classic',
        plc: { uri: null },
        cameras,
      }),
    );
    const station = testStation(dir);
    await station.start();
    cleanups.push(() => station.close());

    // Each camera's results, to tell whose frame each DB write carries.
    const captured = new Map<string, Map<number, number>>();
    const boxesOf = new Map<string, Map<number, number[][]>>();
    for (const name of ['left', 'right']) {
      const seen = new Map<number, number>();
      const boxes = new Map<number, number[][]>();
      captured.set(name, seen);
      boxesOf.set(name, boxes);
      station.extraCamera(name)!.on('result', (r) => {
        seen.set(r.frameId, r.captureTimeMs);
        boxes.set(
          r.frameId,
          r.detections.map((d) => [...d.box]),
        );
      });
    }
    const list = await camerasWhen(station, 'three live cameras with frames and previews', (l) =>
      l.every((c) => c.state === 'live' && c.frames >= 3),
    );
    expect(list.map((c) => c.name)).toEqual(['main', 'left', 'right']);
    expect(list.map((c) => c.model)).toEqual([
      'classic',
      'yolo11n-int8-coco-320.onnx',
      'yolo11n-int8-coco-320.onnx',
    ]);
    expect(list.map((c) => c.reason)).toEqual([null, null, null]);
    expect(list[0]!.plc).toBeNull();
    expect(list[1]!.plc?.endpoint).toBe(`127.0.0.1:${server.port} rack 0 slot 1 DB21`);
    expect(list[2]!.plc?.endpoint).toBe(`127.0.0.1:${server.port} rack 0 slot 1 DB22`);

    for (const [db, name] of [
      [21, 'left'],
      [22, 'right'],
    ] as const) {
      const seen = captured.get(name)!;
      await server.waitFor(
        `DB${db} to receive three of ${name}'s frames`,
        () => server.writes.get(db)!.filter((w) => seen.has(w.frameId)).length >= 3,
      );
      for (const w of server.writes.get(db)!.filter((x) => seen.has(x.frameId))) {
        const t = seen.get(w.frameId)!;
        expect(w.captureTimeOfDayMs, `DB${db} frame ${w.frameId} is ${name}'s`).toBe(
          timeOfDayMs(t, -new Date(t).getTimezoneOffset()),
        );
      }
    }
    // Writes have completed: the links are up.
    expect((await station.listCameras()).map((c) => c.plc?.state ?? null)).toEqual([
      null,
      'connected',
      'connected',
    ]);
    for (const name of ['main', 'left', 'right']) {
      const p = await station.getCameraPreview({ name });
      expect(p?.name).toBe(name);
      // A JPEG (SOI marker), small.
      const jpeg = Buffer.from(p!.jpegDataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
      expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
      expect(jpeg.length).toBeLessThan(100_000);
    }
    // Each tile's objects are those of the frame its picture shows, in camera pixels.
    for (const [name, size] of [
      ['left', [320, 240]],
      ['right', [352, 288]],
    ] as const) {
      const p = (await station.getCameraPreview({ name }))!;
      expect([p.widthPx, p.heightPx]).toEqual(size);
      expect(p.objects.map((o) => o.box)).toEqual(boxesOf.get(name)!.get(p.frameId));
    }
    const main = (await station.getCameraPreview({ name: 'main' }))!;
    expect([main.widthPx, main.heightPx]).toEqual([320, 240]);
    // The saved list as setCameras takes it back: sending it again changes nothing.
    const saved = await station.getCameraSettings();
    expect(saved.map((c) => [c.name, c.source, c.model, c.conf ?? null, c.plc])).toEqual(
      cameras.map((c) => [c.name, c.source, c.model, c.conf ?? null, c.plc]),
    );
    expect(await station.getCameraPreview({ name: 'nobody' })).toBeNull();

    // Two cameras writing the same DB: refused whole, the running ones untouched.
    const leftRuntime = station.extraCamera('left');
    const clash = [
      { name: 'a', source: 'synthetic:', plc: `s7://127.0.0.1:${server.port}?db=21` },
      { name: 'b', source: 'synthetic:', plc: `s7://127.0.0.1:${server.port}?db=21` },
    ];
    await expect(station.setCameras({ cameras: clash })).rejects.toThrow(
      `cameras[1] ("b").plc: writes to 127.0.0.1:${server.port}/DB21 bytes 0..`,
    );
    await expect(station.setCameras({ cameras: [{ name: 'main', source: 'synthetic:' }] })).rejects.toThrow(
      'cameras[0] ("main").name: "main" is the station\'s own camera',
    );
    await expect(station.setCameras({ cameras: [{ name: 'x', source: 'nope:' }] })).rejects.toThrow(
      'cameras[0] ("x").source',
    );
    // The main camera may not be pointed at bytes an additional camera writes either.
    const plcBefore = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).plc.uri;
    await expect(station.setPlc({ uri: `s7://127.0.0.1:${server.port}?db=22` })).rejects.toThrow(
      `writes to 127.0.0.1:${server.port}/DB22 bytes 0..`,
    );
    await expect(station.setPlc({ uri: `s7://127.0.0.1:${server.port}?db=22` })).rejects.toMatchObject({
      code: 'plcUriInvalid',
      message: expect.stringContaining('as cameras[1] ("right") does'),
    });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).plc.uri).toBe(plcBefore);
    expect(station.extraCamera('left')).toBe(leftRuntime);
    expect(
      JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).cameras.map(
        (c: { name: string }) => c.name,
      ),
    ).toEqual(['left', 'right']);
    const before = server.writes.get(22)!.length;
    await server.waitFor(
      'DB22 to keep receiving after the refusal',
      () => server.writes.get(22)!.length >= before + 2,
    );

    // A valid change restarts the cameras: only "right" now.
    const after = await station.setCameras({ cameras: [cameras[1]!] });
    expect(after.map((c) => c.name)).toEqual(['main', 'right']);
    expect(station.extraCamera('left')).toBeNull();
    await camerasWhen(station, '"right" live again', (l) => l[1]?.state === 'live' && l[1].frames >= 1);
  }, 90_000);

  it('saved cameras that cannot start raise a settings alarm; the main camera runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-station-cameras-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=10',
        modelId: 'classic',
        plc: { uri: null },
        cameras: [{ name: 'gone', source: 'synthetic:', model: join(dir, 'missing.onnx') }],
      }),
    );
    const station = testStation(dir);
    await station.start();
    cleanups.push(() => station.close());
    const alarm = (await station.getSnapshot()).alarms.find((a) => a.kind === 'settings');
    expect(alarm?.message).toMatch(/^additional cameras not started: cameras\[0\] \("gone"\)\.model: /);
    const list = await camerasWhen(station, 'the main camera live', (l) => l[0]?.state === 'live');
    expect(list.map((c) => c.name)).toEqual(['main']);
  });
});

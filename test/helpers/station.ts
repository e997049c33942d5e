import { join } from 'node:path';
import type { FrameMessage } from '../../src/shared/api';
import { Station, type StationOptions } from '../../src/main/station/station';
import { WORKER_JS } from './paths';

/**
 * A Station on `dataDir` as the tests run it: the WebSocket backend, no project models folder, the
 * built worker, a quiet log. Not started: the caller starts it and closes it.
 */
export function testStation(dataDir: string, overrides: Partial<StationOptions> = {}): Station {
  return new Station({
    backend: 'websocket',
    version: 't',
    dataDir,
    projectModelsDir: join(dataDir, 'none'),
    workerPath: WORKER_JS,
    log: () => {},
    ...overrides,
  });
}

/** A started testStation, closed by `cleanups` (closing twice is harmless: a test may close it first). */
export async function startedStation(
  dataDir: string,
  cleanups: (() => unknown)[],
  overrides: Partial<StationOptions> = {},
): Promise<Station> {
  const station = testStation(dataDir, overrides);
  cleanups.push(() => station.close());
  await station.start();
  return station;
}

/** The first preview that satisfies `ok` (previews switched on); fails naming what it waited for. */
export function frameWhere(
  station: Station,
  what: string,
  ok: (f: FrameMessage) => boolean,
): Promise<FrameMessage> {
  station.frameSubscribers = 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      station.off('frame', on);
      reject(new Error(`no preview within 30 s where ${what}`));
    }, 30_000);
    const on = (f: FrameMessage): void => {
      if (!ok(f)) return;
      clearTimeout(timer);
      station.off('frame', on);
      resolve(f);
    };
    station.on('frame', on);
  });
}

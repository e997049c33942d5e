import { join } from 'node:path';
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

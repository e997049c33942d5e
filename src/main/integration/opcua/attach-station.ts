/**
 * The OPC UA server for `serve`: fed by the Station (results, fps, alarms); SwitchRecipe swaps to
 * the library model the saved settings assign to that slot, as the PLC's recipe request does.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Station } from '../../station/station';
import { loadSettings } from '../../storage/settings';
import type { OpcUaEndpointOptions } from './opcua-flags';
import { StationOpcUaServer } from './opcua-server';

export async function startStationOpcUa(
  endpoint: OpcUaEndpointOptions,
  station: Station,
  dataDir: string,
  log: (line: string) => void,
): Promise<{ close(): Promise<void> }> {
  const settingsPath = join(dataDir, 'settings.json');
  const recipes = async (): Promise<Record<string, string>> => (await loadSettings(settingsPath)).recipes;
  const server = new StationOpcUaServer({
    ...endpoint,
    station: hostname(),
    cameras: ['cam1'],
    recipeSlots: Object.keys(await recipes()).map(Number),
    switchRecipe: async (slot) => {
      const id = (await recipes())[String(slot)];
      if (!id) return { ok: false, message: `no model is configured for recipe slot ${slot}` };
      try {
        const info = await station.swapModel({ id });
        return { ok: true, message: `recipe slot ${slot}: now running ${info.name}` };
      } catch (e) {
        return { ok: false, message: `recipe slot ${slot}: ${(e as Error).message}` };
      }
    },
    log,
  });
  await server.start();
  const tap = (r: Parameters<StationOpcUaServer['offer']>[0]): void => server.offer(r);
  const onStats = (s: { fps: number }): void => server.setStatus({ fps: s.fps });
  const onAlarms = (list: { kind: string; active: boolean }[]): void =>
    server.setStatus({ alarms: [...new Set(list.filter((a) => a.active).map((a) => a.kind))] });
  station.resultTaps.add(tap);
  station.on('stats', onStats);
  station.on('alarms', onAlarms);
  return {
    async close() {
      station.resultTaps.delete(tap);
      station.off('stats', onStats);
      station.off('alarms', onAlarms);
      await server.close();
    },
  };
}

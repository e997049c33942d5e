/**
 * The OPC UA server for the operator app (`serve`): fed by the station (results, fps, alarms);
 * SwitchRecipe goes through the station's recipe switch, the one the PLC's recipe request uses.
 */
import { hostname } from 'node:os';
import type { FrameResult } from '../../shared/frame';
import type { Station } from '../station/station';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';
import { StationOpcUaServer } from '../integration/opcua/opcua-server';

export async function startStationOpcUa(
  endpoint: OpcUaEndpointOptions,
  station: Station,
  log: (line: string) => void,
): Promise<{ close(): Promise<void> }> {
  const server = new StationOpcUaServer({
    ...endpoint,
    station: hostname(),
    cameras: ['cam1'],
    recipeSlots: station.recipeSlots(),
    switchRecipe: async (slot) => {
      const o = await station.switchRecipe(slot);
      if (o.error || !o.info) return { ok: false, message: o.error ?? `recipe slot ${slot}: not loaded` };
      return { ok: true, message: `recipe slot ${slot}: now running ${o.info.name}` };
    },
    log,
  });
  await server.start();
  const tap = (r: FrameResult): void => server.offer(r);
  const onStats = (s: { fps: number }): void => server.setStatus({ fps: s.fps });
  const onAlarms = (list: { kind: string; active: boolean }[]): void =>
    server.setStatus({ alarms: [...new Set(list.filter((a) => a.active).map((a) => a.kind))] });
  station.vision.on('result', tap);
  station.on('stats', onStats);
  station.on('alarms', onAlarms);
  return {
    async close() {
      station.vision.off('result', tap);
      station.off('stats', onStats);
      station.off('alarms', onAlarms);
      await server.close();
    },
  };
}

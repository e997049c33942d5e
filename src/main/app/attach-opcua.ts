/**
 * Wires the OPC UA server into a runtime: one more result sink (closed with the runtime), fps and
 * alarms from what the runtime sees, and SwitchRecipe through the runtime's recipe switch, the
 * same one the PLC's recipe request uses.
 */
import { hostname } from 'node:os';
import { StationOpcUaServer } from '../integration/opcua/opcua-server';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';
import type { OutputSinks } from './outputs';
import type { VisionRuntime } from './runtime';

const FPS_INTERVAL_MS = 1000;

export async function attachOpcUa(
  endpoint: OpcUaEndpointOptions,
  deps: { runtime: VisionRuntime; model: string; recipeSlots: number[]; log: (line: string) => void },
): Promise<StationOpcUaServer> {
  const server = new StationOpcUaServer({
    ...endpoint,
    station: hostname(),
    cameras: ['cam1'],
    recipeSlots: deps.recipeSlots,
    switchRecipe: async (slot) => {
      const o = await deps.runtime.switchRecipe(slot);
      if (o.error || !o.info) return { ok: false, message: o.error ?? `recipe slot ${slot}: not loaded` };
      deps.log(`recipe slot ${slot} (OPC UA): now running ${o.info.name}`);
      return { ok: true, message: `recipe slot ${slot}: now running ${o.info.name}` };
    },
    log: deps.log,
  });
  await server.start();
  server.setModel(deps.model);
  let frames = 0;
  let lastMs = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    server.setStatus({ fps: (frames * 1000) / Math.max(1, now - lastMs) });
    frames = 0;
    lastMs = now;
  }, FPS_INTERVAL_MS);
  timer.unref();
  const alarms = new Set<string>();
  const alarm = (kind: string, active: boolean): void => {
    if (active === alarms.has(kind)) return;
    if (active) alarms.add(kind);
    else alarms.delete(kind);
    server.setStatus({ alarms: [...alarms] });
  };
  deps.runtime.on('sourceState', (c) => {
    if (c.state === 'live') alarm('sourceLost', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      alarm('sourceLost', true);
  });
  const follow = (outputs: OutputSinks | null): void =>
    void outputs?.on('plcLink', (s) => alarm('plcDown', s.state !== 'connected' && s.lastError !== null));
  follow(deps.runtime.outputs);
  deps.runtime.on('outputs', follow);
  deps.runtime.on('recipe', (o) => {
    if (o.info) server.setModel(o.info.name);
  });
  deps.runtime.addSink({
    name: server.name,
    offer(result) {
      frames++;
      server.offer(result);
    },
    async close() {
      clearInterval(timer);
      await server.close();
    },
  });
  return server;
}

/**
 * Wires the OPC UA server into a station: one more ResultSink among the runtime's outputs (closed
 * with them), fps and alarms from what the runtime sees, and SwitchRecipe through the same model
 * hot swap the PLC's recipe request uses.
 */
import { hostname } from 'node:os';
import type { FrameSource, SourceStateChange } from '../../capture/types';
import type { InferenceEngine } from '../../inference/engine';
import type { ModelSpec } from '../../inference/model';
import type { OutputSinks } from '../../outputs';
import type { OpcUaEndpointOptions } from './opcua-flags';
import { StationOpcUaServer } from './opcua-server';

const FPS_INTERVAL_MS = 1000;

export async function attachOpcUa(
  endpoint: OpcUaEndpointOptions,
  deps: {
    outputs: OutputSinks;
    source: FrameSource;
    engine: InferenceEngine;
    model: string;
    /** Recipe slot → model (path or `classic`). */
    recipes: Readonly<Record<number, string>>;
    specFor: (model: string) => ModelSpec;
    log: (line: string) => void;
  },
): Promise<StationOpcUaServer> {
  const server = new StationOpcUaServer({
    ...endpoint,
    station: hostname(),
    cameras: ['cam1'],
    recipeSlots: Object.keys(deps.recipes).map(Number),
    switchRecipe: async (slot) => {
      const model = deps.recipes[slot];
      if (!model) return { ok: false, message: `no model is configured for recipe slot ${slot}` };
      try {
        const info = await deps.engine.load(deps.specFor(model));
        deps.outputs.plc?.setRecipeActive(slot);
        deps.log(`recipe slot ${slot} (OPC UA): now running ${info.name}`);
        return { ok: true, message: `recipe slot ${slot}: now running ${info.name}` };
      } catch (e) {
        return { ok: false, message: `recipe slot ${slot}: cannot load ${model}: ${(e as Error).message}` };
      }
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
  deps.source.on('state', (c: SourceStateChange) => {
    if (c.state === 'live') alarm('sourceLost', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      alarm('sourceLost', true);
  });
  deps.outputs.on('plcLink', (s) => alarm('plcDown', s.state !== 'connected' && s.lastError !== null));
  deps.outputs.sinks.push({
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

/**
 * Wires the OPC UA server into a runtime: one more result sink (closed with the runtime or by
 * `detach`), fps and alarms from what the runtime sees, and SwitchRecipe through the runtime's
 * recipe switch, the same one the PLC's recipe request uses.
 */
import { hostname } from 'node:os';
import { StationOpcUaServer } from '../integration/opcua/opcua-server';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';
import type { PlcLinkStatus } from '../plc/s7-sink';
import type { SourceStateChange } from '../capture/types';
import type { ResultSink } from '../core/sink';
import type { OutputSinks } from './outputs';
import type { RecipeOutcome, VisionRuntime } from './runtime';

const FPS_INTERVAL_MS = 1000;

export interface OpcUaAttachment {
  server: StationOpcUaServer;
  /** Unhooks the server from the runtime and shuts it down (the port is free once it resolves). */
  detach(): Promise<void>;
}

export async function attachOpcUa(
  endpoint: OpcUaEndpointOptions,
  deps: { runtime: VisionRuntime; model: string; recipeSlots: number[]; log: (line: string) => void },
): Promise<OpcUaAttachment> {
  const { runtime } = deps;
  const server = new StationOpcUaServer({
    ...endpoint,
    station: hostname(),
    cameras: ['cam1'],
    recipeSlots: deps.recipeSlots,
    switchRecipe: async (slot) => {
      const o = await runtime.switchRecipe(slot);
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
  const onSource = (c: Pick<SourceStateChange, 'state'>): void => {
    if (c.state === 'live') alarm('sourceLost', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      alarm('sourceLost', true);
  };
  if (runtime.source) onSource(runtime.source);
  runtime.on('sourceState', onSource);
  const onPlcLink = (s: PlcLinkStatus): void =>
    alarm('plcDown', s.state !== 'connected' && s.lastError !== null);
  let followed: OutputSinks | null = null;
  const follow = (outputs: OutputSinks | null): void => {
    followed?.off('plcLink', onPlcLink);
    followed = outputs;
    outputs?.on('plcLink', onPlcLink);
  };
  follow(runtime.outputs);
  runtime.on('outputs', follow);
  const onRecipe = (o: RecipeOutcome): void => {
    if (o.info) server.setModel(o.info.name);
  };
  runtime.on('recipe', onRecipe);
  const sink: ResultSink = {
    name: server.name,
    offer(result) {
      frames++;
      server.offer(result);
    },
    async close() {
      clearInterval(timer);
      await server.close();
    },
  };
  runtime.addSink(sink);
  return {
    server,
    async detach() {
      runtime.off('sourceState', onSource);
      runtime.off('outputs', follow);
      runtime.off('recipe', onRecipe);
      follow(null);
      runtime.removeSink(sink);
      await sink.close();
    },
  };
}

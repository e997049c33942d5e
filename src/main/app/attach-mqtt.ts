/**
 * Wires the MQTT sink into a runtime: one more result sink (kept across source and output
 * changes, closed with the runtime or by `detach`), plus the alarms only the runtime sees (camera
 * lost, PLC down, PLC protocol alarms).
 */
import { createMqttSink, type MqttSink } from '../integration/mqtt/mqtt-sink';
import type { SourceStateChange } from '../capture/types';
import type { PlcAlarm, PlcLinkStatus } from '../plc/s7-sink';
import type { OutputSinks } from './outputs';
import type { VisionRuntime } from './runtime';

export interface MqttAttachment {
  sink: MqttSink;
  /** Unhooks the sink from the runtime and closes it (the retained offline status goes out). */
  detach(): Promise<void>;
}

export async function attachMqtt(
  uri: string,
  deps: { runtime: VisionRuntime; model: string; log: (line: string) => void; failFast?: boolean },
): Promise<MqttAttachment> {
  const sink = await createMqttSink(uri, { log: deps.log, model: deps.model, failFast: deps.failFast });
  const { runtime } = deps;
  runtime.addSink(sink);
  const onSource = (c: Pick<SourceStateChange, 'state' | 'reason'>): void => {
    if (c.state === 'live') sink.alarm('sourceLost', 'camera live again', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      sink.alarm('sourceLost', `source ${c.state}: ${c.reason}`, true);
  };
  // Attached to a running station: a camera already lost is news too.
  if (runtime.source) onSource({ state: runtime.source.state, reason: runtime.source.stateReason });
  runtime.on('sourceState', onSource);
  const onPlcLink = (s: PlcLinkStatus): void => {
    if (s.state === 'connected') sink.alarm('plcDown', 'PLC connected', false);
    else if (s.lastError) sink.alarm('plcDown', `PLC ${s.state}: ${s.lastError}`, true);
  };
  const onPlcAlarm = (a: PlcAlarm): void => sink.alarm(a.kind, a.message, true, true);
  let followed: OutputSinks | null = null;
  const follow = (outputs: OutputSinks | null): void => {
    followed?.off('plcLink', onPlcLink);
    followed?.off('plcAlarm', onPlcAlarm);
    followed = outputs;
    outputs?.on('plcLink', onPlcLink);
    outputs?.on('plcAlarm', onPlcAlarm);
  };
  follow(runtime.outputs);
  runtime.on('outputs', follow);
  return {
    sink,
    async detach() {
      runtime.off('sourceState', onSource);
      runtime.off('outputs', follow);
      follow(null);
      runtime.removeSink(sink);
      await sink.close();
    },
  };
}

/**
 * Wires the MQTT sink into a runtime: one more result sink (kept across source and output
 * changes, closed with the runtime), plus the alarms only the runtime sees (camera lost, PLC down,
 * PLC protocol alarms).
 */
import { createMqttSink, type MqttSink } from '../integration/mqtt/mqtt-sink';
import type { OutputSinks } from './outputs';
import type { VisionRuntime } from './runtime';

export async function attachMqtt(
  uri: string,
  deps: { runtime: VisionRuntime; model: string; log: (line: string) => void; failFast?: boolean },
): Promise<MqttSink> {
  const sink = await createMqttSink(uri, { log: deps.log, model: deps.model, failFast: deps.failFast });
  deps.runtime.addSink(sink);
  deps.runtime.on('sourceState', (c) => {
    if (c.state === 'live') sink.alarm('sourceLost', 'camera live again', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      sink.alarm('sourceLost', `source ${c.state}: ${c.reason}`, true);
  });
  const follow = (outputs: OutputSinks | null): void => {
    outputs?.on('plcLink', (s) => {
      if (s.state === 'connected') sink.alarm('plcDown', 'PLC connected', false);
      else if (s.lastError) sink.alarm('plcDown', `PLC ${s.state}: ${s.lastError}`, true);
    });
    outputs?.on('plcAlarm', (a) => sink.alarm(a.kind, a.message, true, true));
  };
  follow(deps.runtime.outputs);
  deps.runtime.on('outputs', follow);
  return sink;
}

/**
 * Wires the MQTT sink into a runtime: one more ResultSink among the outputs (closed with them),
 * plus the alarms only the runtime sees (camera lost, PLC down, PLC protocol alarms).
 */
import type { FrameSource, SourceStateChange } from '../../capture/types';
import type { OutputSinks } from '../../outputs';
import { createMqttSink, type MqttSink } from './mqtt-sink';

export async function attachMqtt(
  uri: string,
  deps: {
    outputs: OutputSinks;
    source: FrameSource;
    model: string;
    log: (line: string) => void;
    failFast?: boolean;
  },
): Promise<MqttSink> {
  const sink = await createMqttSink(uri, { log: deps.log, model: deps.model, failFast: deps.failFast });
  deps.outputs.sinks.push(sink);
  deps.source.on('state', (c: SourceStateChange) => {
    if (c.state === 'live') sink.alarm('sourceLost', 'camera live again', false);
    else if (c.state === 'reconnecting' || c.state === 'error' || c.state === 'stalled')
      sink.alarm('sourceLost', `source ${c.state}: ${c.reason}`, true);
  });
  deps.outputs.on('plcLink', (s) => {
    if (s.state === 'connected') sink.alarm('plcDown', 'PLC connected', false);
    else if (s.lastError) sink.alarm('plcDown', `PLC ${s.state}: ${s.lastError}`, true);
  });
  deps.outputs.on('plcAlarm', (a) => sink.alarm(a.kind, a.message, true, true));
  return sink;
}

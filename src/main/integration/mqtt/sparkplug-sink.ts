/**
 * Publishes the station as a Sparkplug B edge node (one device per camera) for SCADA that reads
 * Sparkplug (Ignition, ...): NBIRTH and DBIRTH on every connect, DDATA with the changed metrics per
 * admitted result, NDEATH as the MQTT last will (and before a clean disconnect), a new DBIRTH when
 * a metric appears (a class seen for the first time), and a full rebirth on the host's
 * `Node Control/Rebirth` command. Metrics: core/sparkplug.ts. A ResultSink: `offer` never waits.
 *
 * `--sparkplug mqtt://[USER:PASS@]HOST[:PORT]?group=G&node=N&device=D&rate=R`
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { FrameResult } from '../../../shared/frame';
import { RateGate } from '../../core/mqtt-topics';
import type { ResultSink } from '../../core/sink';
import {
  changedMetrics,
  deviceMetrics,
  needsRebirth,
  nodeBirthMetrics,
  nodeDeathPayload,
  SparkplugSeq,
  sparkplugTopics,
  type DeviceState,
  type SparkplugTopics,
  type SpMetric,
} from '../../core/sparkplug';
import { decodePayload, encodePayload } from './sparkplug-codec';
import { parseSparkplugUri, type SparkplugSettings } from './sparkplug-config';

export interface SparkplugSinkOptions {
  log: (line: string) => void;
  model?: string;
  nowMs?: () => number;
  /** MQTT.js reconnect period. */
  reconnectMs?: number;
}

const FPS_WINDOW_MS = 1000;

export class SparkplugSink implements ResultSink {
  readonly name = 'sparkplug';
  readonly topics: SparkplugTopics;
  private client: MqttClient | null = null;
  private connected = false;
  private closing = false;
  /** Birth/death sequence: +1 per MQTT session, the same in NBIRTH and its NDEATH will. */
  private bdSeq = 0;
  private readonly seq = new SparkplugSeq();
  private readonly gate: RateGate;
  private readonly nowMs: () => number;
  /** The device metrics as last born or sent (DDATA sends what changed since). */
  private sent: SpMetric[] | null = null;
  private state: DeviceState;
  private windowStartMs: number;
  private windowFrames = 0;

  constructor(
    readonly settings: SparkplugSettings,
    private readonly opts: SparkplugSinkOptions,
  ) {
    this.topics = sparkplugTopics(settings.group, settings.node, settings.device);
    this.gate = new RateGate(settings.ratePerS);
    this.nowMs = opts.nowMs ?? Date.now;
    this.windowStartMs = this.nowMs();
    this.state = {
      model: opts.model ?? '',
      fps: 0,
      frames: 0,
      detections: 0,
      perClass: {},
      last: null,
    };
  }

  start(): void {
    if (this.client) return;
    const s = this.settings;
    const client = mqtt.connect(s.brokerUrl, {
      clientId: `vs-spb-${s.group}-${s.node}`.slice(0, 64),
      clean: true,
      reconnectPeriod: this.opts.reconnectMs ?? 2000,
      connectTimeout: 5000,
      keepalive: 10,
      username: s.username,
      password: s.password,
      will: this.will(),
    });
    this.client = client;
    client.on('connect', () => {
      this.connected = true;
      this.opts.log(`Sparkplug: connected to ${s.brokerUrl} as ${s.group}/${s.node}/${s.device}`);
      client.subscribe(this.topics.ncmd, { qos: 0 });
      this.birth();
    });
    client.on('message', (topic, payload) => {
      if (topic !== this.topics.ncmd) return;
      try {
        const cmd = decodePayload(payload);
        if (cmd.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) this.birth();
      } catch (e) {
        this.opts.log(`Sparkplug: unreadable command on ${topic}: ${(e as Error).message}`);
      }
    });
    client.on('close', () => {
      if (!this.connected) return;
      this.connected = false;
      if (this.closing) return;
      // The next session is a new birth: its will must carry the next bdSeq.
      this.bdSeq = (this.bdSeq + 1) % 256;
      client.options.will = this.will();
      this.opts.log(`Sparkplug: broker ${s.brokerUrl} lost; reconnecting`);
    });
    client.on('error', (e) => this.opts.log(`Sparkplug: ${s.brokerUrl}: ${e.message}`));
  }

  offer(result: FrameResult): void {
    if (this.closing) return;
    const perClass = { ...this.state.perClass };
    for (const d of result.detections) perClass[d.className] = (perClass[d.className] ?? 0) + 1;
    const now = this.nowMs();
    this.windowFrames++;
    let fps = this.state.fps;
    if (now - this.windowStartMs >= FPS_WINDOW_MS) {
      fps = (this.windowFrames * 1000) / (now - this.windowStartMs);
      this.windowFrames = 0;
      this.windowStartMs = now;
    }
    this.state = {
      ...this.state,
      model: result.modelName,
      fps,
      frames: this.state.frames + 1,
      detections: this.state.detections + result.detections.length,
      perClass,
      last: { frameId: result.frameId, captureTimeMs: result.captureTimeMs, detections: result.detections },
    };
    if (!this.gate.admit(now) || !this.connected || !this.client || !this.sent) return;
    const next = deviceMetrics(this.state);
    if (needsRebirth(this.sent, next)) return this.deviceBirth(next);
    const changed = changedMetrics(this.sent, next);
    if (changed.length === 0) return;
    this.sent = next;
    this.publish(this.topics.ddata, changed);
  }

  /** A clean stop: NDEATH first (a host then knows the data is stale), then disconnect. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      const death = Buffer.from(encodePayload(nodeDeathPayload(this.bdSeq, this.nowMs())));
      await withTimeout(timeoutMs, (done) =>
        client.publish(this.topics.ndeath, death, { qos: 1 }, () => done()),
      );
    }
    await withTimeout(timeoutMs, (done) => client.end(false, {}, () => done()));
    client.end(true);
    this.client = null;
  }

  private will() {
    return {
      topic: this.topics.ndeath,
      payload: Buffer.from(encodePayload(nodeDeathPayload(this.bdSeq, this.nowMs()))),
      qos: 1 as const,
      retain: false,
    };
  }

  private birth(): void {
    this.seq.reset();
    this.publish(this.topics.nbirth, nodeBirthMetrics(this.bdSeq));
    this.deviceBirth(deviceMetrics(this.state));
  }

  private deviceBirth(metrics: SpMetric[]): void {
    this.sent = metrics;
    this.publish(this.topics.dbirth, metrics);
  }

  private publish(topic: string, metrics: SpMetric[]): void {
    const payload = encodePayload({ timestampMs: this.nowMs(), seq: this.seq.next(), metrics });
    this.client?.publish(topic, Buffer.from(payload), { qos: 0 });
  }
}

function withTimeout(timeoutMs: number, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    start(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createSparkplugSink(uri: string, opts: SparkplugSinkOptions): SparkplugSink {
  const sink = new SparkplugSink(parseSparkplugUri(uri), opts);
  sink.start();
  return sink;
}

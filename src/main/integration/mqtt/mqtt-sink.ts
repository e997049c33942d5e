/**
 * Publishes results, crossing events, counters, alarms and the station status to an MQTT broker
 * (topics and payloads: core/mqtt-topics.ts). A ResultSink: `offer` never waits on the network.
 *
 * Delivery: QoS-1 messages (events, alarms) go through a bounded outbox that survives broker
 * outages; messages still unacknowledged when a connection dies are put back at its head, so a
 * broker restart loses nothing unless the outbox overflows (then the oldest are dropped and
 * counted in `droppedMessages`). Delivery is at least once: a message whose PUBACK was lost with
 * the connection is sent again. Per-frame results are QoS 0 and live only: none are kept while
 * the broker is away. Status and counters are retained and republished on every (re)connect.
 *
 * One MQTT.js client per connection attempt, with its own reconnect disabled: our backoff policy
 * decides when to retry, and no message state hides inside a dead client.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import type { FrameResult } from '../../../shared/frame';
import { Backoff, type BackoffOptions } from '../../core/backoff';
import { BoundedOutbox } from '../../core/bounded-outbox';
import {
  alarmPayload,
  countersPayload,
  countResult,
  crossingEventPayload,
  emptyCounters,
  mqttTopics,
  offlineStatusPayload,
  onlineStatusPayload,
  RateGate,
  resultPayload,
  type Counters,
  type Crossing,
  type MqttTopics,
} from '../../core/mqtt-topics';
import type { ResultSink } from '../../core/sink';
import { parseMqttUri, type MqttSettings } from './mqtt-config';

export interface MqttLinkStatus {
  connected: boolean;
  /** Why it is down (last error), or null while connected. */
  reason: string | null;
}

export interface MqttSinkEvents {
  link: [MqttLinkStatus];
  /** Outbox empty and every QoS-1 message acknowledged. */
  idle: [];
}

export interface MqttSinkOptions {
  log: (line: string) => void;
  /** Reconnect policy; defaults to 0.5 s doubling to 10 s, with jitter so a fleet does not stampede. */
  backoff?: Partial<BackoffOptions>;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  /** QoS-1 messages on the wire awaiting PUBACK at once. */
  maxInflight?: number;
  /** Model name reported in the status until a result says otherwise. */
  model?: string;
  nowMs?: () => number;
}

export interface MqttSinkStats {
  connected: boolean;
  outboxSize: number;
  inflight: number;
  droppedMessages: number;
  /** Results not published: over the rate, broker away, or socket backed up. */
  skippedResults: number;
}

interface OutMessage {
  topic: string;
  payload: string;
}

/** A result as the sink accepts it: crossings appear once tracking and counting lines exist. */
export type MqttResultInput = FrameResult & { crossings?: readonly Crossing[] };

/** Above this many bytes waiting in the socket, results are skipped instead of buffered. */
const MAX_SOCKET_BACKLOG_BYTES = 1 << 20;

export class MqttSink extends EventEmitter<MqttSinkEvents> implements ResultSink {
  readonly name = 'mqtt';
  readonly topics: MqttTopics;
  private readonly outbox: BoundedOutbox<OutMessage>;
  /** Sent, not yet acknowledged; in send order (Map keeps insertion order). */
  private readonly inflight = new Map<number, OutMessage>();
  private nextSeq = 1;
  private readonly gate: RateGate;
  private readonly backoff: Backoff;
  private readonly nowMs: () => number;
  private readonly startedAtMs: number;
  private client: MqttClient | null = null;
  private connected = false;
  private closing = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private counters: Counters = emptyCounters();
  private skippedResults = 0;
  private framesSinceTick = 0;
  private lastTickMs: number;
  private fps = 0;
  private model: string | null;
  private readonly activeAlarms = new Map<string, string>();
  private lastProblem: string | null = null;

  constructor(
    readonly settings: MqttSettings,
    private readonly opts: MqttSinkOptions,
  ) {
    super();
    this.topics = mqttTopics(settings.prefix, settings.station, settings.camera);
    this.outbox = new BoundedOutbox(settings.outboxCapacity);
    this.gate = new RateGate(settings.ratePerS);
    this.backoff = new Backoff({
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      factor: 2,
      jitter: 0.2,
      ...opts.backoff,
    });
    this.nowMs = opts.nowMs ?? Date.now;
    this.startedAtMs = this.nowMs();
    this.lastTickMs = this.startedAtMs;
    this.model = opts.model ?? null;
  }

  start(): void {
    if (this.client || this.closing) return;
    this.statusTimer = setInterval(() => this.tick(), this.settings.statusIntervalMs);
    this.statusTimer.unref();
    this.connect();
  }

  /** Resolves once connected; rejects after `timeoutMs` naming the broker and the last error. */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('link', onLink);
        reject(
          new Error(
            `MQTT broker ${this.settings.brokerUrl} not reachable within ${timeoutMs} ms` +
              (this.lastProblem ? `: ${this.lastProblem}` : ''),
          ),
        );
      }, timeoutMs);
      const onLink = (s: MqttLinkStatus): void => {
        if (!s.connected) return;
        clearTimeout(timer);
        this.off('link', onLink);
        resolve();
      };
      this.on('link', onLink);
    });
  }

  stats(): MqttSinkStats {
    return {
      connected: this.connected,
      outboxSize: this.outbox.size,
      inflight: this.inflight.size,
      droppedMessages: this.outbox.dropped,
      skippedResults: this.skippedResults,
    };
  }

  offer(result: MqttResultInput): void {
    if (this.closing) return;
    this.counters = countResult(this.counters, result);
    this.framesSinceTick++;
    this.model = result.modelName;
    for (const c of result.crossings ?? [])
      this.enqueue(this.topics.events, JSON.stringify(crossingEventPayload(result, c)));
    if (!this.gate.admit(this.nowMs())) {
      this.skippedResults++;
      return;
    }
    if (!this.connected || !this.client || this.socketBacklogBytes() > MAX_SOCKET_BACKLOG_BYTES) {
      this.skippedResults++;
      return;
    }
    this.client.publish(this.topics.results, JSON.stringify(resultPayload(result)), { qos: 0 });
  }

  /**
   * An alarm raised (`active`) or cleared, published at QoS 1. A condition alarm is listed in the
   * status while active; a `oneShot` alarm (an event such as a missed PLC acknowledgement) is not.
   */
  alarm(kind: string, message: string, active: boolean, oneShot = false): void {
    if (this.closing) return;
    const wasActive = this.activeAlarms.has(kind);
    if (!active && !wasActive) return;
    if (active && !oneShot) {
      // Raising an active alarm again with the same text is no news.
      if (this.activeAlarms.get(kind) === message) return;
      this.activeAlarms.set(kind, message);
    } else if (!active) this.activeAlarms.delete(kind);
    this.enqueue(
      this.topics.alarms,
      JSON.stringify(alarmPayload({ kind, message, active, timeMs: this.nowMs() })),
    );
    if (wasActive !== this.activeAlarms.has(kind)) this.publishStatus();
  }

  setModel(name: string): void {
    this.model = name;
  }

  /**
   * Stop: flush the outbox (bounded by `flushTimeoutMs`), publish the retained offline status,
   * then disconnect cleanly so the broker does not send the last will.
   */
  async close(flushTimeoutMs = 3000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.statusTimer = this.retryTimer = null;
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      this.tick();
      await withTimeout(flushTimeoutMs, (done) => {
        if (this.outbox.size === 0 && this.inflight.size === 0) return done();
        this.once('idle', done);
        return () => this.off('idle', done);
      });
      const offline = offlineStatusPayload(this.settings.station, [this.settings.camera], 'stopped');
      await withTimeout(flushTimeoutMs, (done) => {
        client.publish(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true }, () => done());
      });
    }
    const graceful = this.connected;
    await withTimeout(flushTimeoutMs, (done) => {
      client.end(!graceful, {}, () => done());
    });
    // A graceful end that timed out leaves the socket open: cut it.
    if (graceful) client.end(true);
    this.client = null;
    this.connected = false;
  }

  private socketBacklogBytes(): number {
    const stream = this.client?.stream as Writable | undefined;
    return stream?.writableLength ?? 0;
  }

  private enqueue(topic: string, payload: string): void {
    this.outbox.push({ topic, payload });
    this.counters = { ...this.counters, droppedMessages: this.outbox.dropped };
    this.pump();
  }

  private pump(): void {
    const maxInflight = this.opts.maxInflight ?? 32;
    const client = this.client;
    while (this.connected && client && this.inflight.size < maxInflight) {
      const msg = this.outbox.shift();
      if (!msg) return;
      const seq = this.nextSeq++;
      this.inflight.set(seq, msg);
      client.publish(msg.topic, msg.payload, { qos: 1 }, (err) => {
        // Failed sends stay in `inflight` and are requeued when the connection is torn down.
        if (err || this.client !== client || this.inflight.get(seq) !== msg) return;
        this.inflight.delete(seq);
        this.pump();
        if (this.outbox.size === 0 && this.inflight.size === 0) this.emit('idle');
      });
    }
  }

  private tick(): void {
    const now = this.nowMs();
    const elapsedMs = now - this.lastTickMs;
    if (elapsedMs > 0) this.fps = (this.framesSinceTick * 1000) / elapsedMs;
    this.framesSinceTick = 0;
    this.lastTickMs = now;
    this.publishStatus();
    this.publishCounters();
  }

  private publishStatus(): void {
    if (!this.connected || !this.client) return;
    const payload = onlineStatusPayload(
      {
        station: this.settings.station,
        cameras: [this.settings.camera],
        fps: this.fps,
        alarms: [...this.activeAlarms.keys()],
        model: this.model,
        startedAtMs: this.startedAtMs,
      },
      this.nowMs(),
    );
    this.client.publish(this.topics.status, JSON.stringify(payload), { qos: 1, retain: true });
  }

  private publishCounters(): void {
    if (!this.connected || !this.client) return;
    this.client.publish(this.topics.counters, JSON.stringify(countersPayload(this.counters, this.nowMs())), {
      qos: 0,
      retain: true,
    });
  }

  private connect(): void {
    const will = offlineStatusPayload(this.settings.station, [this.settings.camera], 'lost');
    const client = mqtt.connect(this.settings.brokerUrl, {
      clientId: `vs-${this.settings.station}-${this.settings.camera}-${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.opts.connectTimeoutMs ?? 5000,
      keepalive: this.opts.keepaliveS ?? 10,
      username: this.settings.username,
      password: this.settings.password,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      if (this.client !== client) return;
      this.connected = true;
      this.backoff.reset();
      this.lastProblem = null;
      this.opts.log(
        `MQTT: connected to ${this.settings.brokerUrl} as ${this.topics.status.replace(/\/status$/, '')}`,
      );
      this.emit('link', { connected: true, reason: null });
      this.publishStatus();
      this.publishCounters();
      this.pump();
    });
    client.on('error', (e) => {
      if (this.client === client) this.lastProblem = e.message;
    });
    client.on('close', () => this.onClose(client));
  }

  private onClose(client: MqttClient): void {
    if (this.client !== client) return;
    const wasConnected = this.connected;
    this.connected = false;
    // While closing, close() owns the client; it stops waiting once the link is gone.
    if (this.closing) return void this.emit('idle');
    this.client = null;
    // Forced end with reconnect off and a clean session fails every pending publish at once;
    // those messages are still in `inflight`, oldest first, and go back to the outbox head.
    client.end(true);
    const unacked = [...this.inflight.values()];
    this.inflight.clear();
    this.outbox.requeue(unacked);
    this.counters = { ...this.counters, droppedMessages: this.outbox.dropped };
    const reason = this.lastProblem ?? 'connection closed';
    const delayMs = this.backoff.next();
    if (wasConnected || this.backoff.attempts === 1)
      this.opts.log(`MQTT: broker ${this.settings.brokerUrl} unavailable (${reason}); retrying with backoff`);
    this.emit('link', { connected: false, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closing) this.connect();
    }, delayMs);
  }
}

/**
 * Run `start(done)` and resolve when it calls `done`, or after `timeoutMs`, whichever comes
 * first; `start` may return a cleanup for the timeout case.
 */
function withTimeout(timeoutMs: number, start: (done: () => void) => (() => void) | void): Promise<void> {
  return new Promise((resolve) => {
    let cleanup: (() => void) | void = undefined;
    const timer = setTimeout(() => {
      cleanup?.();
      resolve();
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    cleanup = start(done);
  });
}

/**
 * Parse the `--mqtt` URI and start connecting. With failFast, wait for the first attempt and
 * throw if it fails (a typo in the address should stop `run` at once, not retry forever).
 */
export async function createMqttSink(
  uri: string,
  opts: MqttSinkOptions & { failFast?: boolean },
): Promise<MqttSink> {
  const sink = new MqttSink(parseMqttUri(uri), opts);
  const first = new Promise<MqttLinkStatus>((resolve) => sink.once('link', resolve));
  sink.start();
  if (opts.failFast) {
    const link = await first;
    if (!link.connected) {
      await sink.close(0);
      throw new Error(`MQTT broker ${sink.settings.brokerUrl} not reachable: ${link.reason}`);
    }
  }
  return sink;
}

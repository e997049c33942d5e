/**
 * Read-only fleet view: subscribes to every station's retained status under a prefix on the same
 * broker and keeps the latest per station (core/fleet.ts). Never publishes. Retained messages mean
 * a new watcher learns the whole fleet at once, dead stations included (their last will).
 */
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetStation } from '../../../shared/fleet';
import { fleetView, parseFleetStatus, stationFromStatusTopic } from '../../core/fleet';
import { parseMqttUri } from './mqtt-config';

export interface FleetWatcherOptions {
  /** Same form as `--mqtt`; only the broker, credentials and `prefix` are used. */
  uri: string;
  /** An online station silent this long shows as `stale`. */
  staleAfterMs?: number;
  /** Stations kept at most; beyond it the one heard from longest ago is forgotten. */
  maxStations?: number;
  /** Retry period after the broker is lost (MQTT.js reconnect: nothing is lost, status is retained). */
  reconnectMs?: number;
  log: (line: string) => void;
  nowMs?: () => number;
}

export interface FleetWatcherEvents {
  /** The fleet changed (a status arrived); the list as `list()` returns it. */
  change: [FleetStation[]];
}

/** Larger status messages are not ours: ignored instead of parsed. */
const MAX_STATUS_BYTES = 64 * 1024;

export class FleetWatcher extends EventEmitter<FleetWatcherEvents> {
  private readonly stations = new Map<string, FleetStation>();
  private client: MqttClient | null = null;
  private readonly prefix: string;
  private readonly nowMs: () => number;
  private readonly reported = new Set<string>();

  constructor(private readonly opts: FleetWatcherOptions) {
    super();
    this.prefix = parseMqttUri(opts.uri).prefix;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** Connects and resolves once subscribed; rejects (and stops) if the broker does not answer. */
  async start(timeoutMs = 5000): Promise<void> {
    const s = parseMqttUri(this.opts.uri);
    const client = mqtt.connect(s.brokerUrl, {
      username: s.username,
      password: s.password,
      clean: true,
      connectTimeout: timeoutMs,
      reconnectPeriod: this.opts.reconnectMs ?? 2000,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (e) => this.reportOnce(`fleet: broker ${s.brokerUrl}: ${e.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fleet: broker ${s.brokerUrl} not reachable within ${timeoutMs} ms`)),
          timeoutMs,
        );
        client.once('connect', () => {
          client.subscribe(`${this.prefix}/+/status`, { qos: 1 }, (err) => {
            clearTimeout(timer);
            if (err) reject(new Error(`fleet: cannot subscribe on ${s.brokerUrl}: ${err.message}`));
            else resolve();
          });
        });
      });
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  list(): FleetStation[] {
    return fleetView(this.stations.values(), this.nowMs(), this.opts.staleAfterMs ?? 10_000);
  }

  close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return Promise.resolve();
    return new Promise((resolve) => client.end(true, {}, () => resolve()));
  }

  private onMessage(topic: string, payload: Buffer): void {
    const name = stationFromStatusTopic(this.prefix, topic);
    if (name === null || payload.length > MAX_STATUS_BYTES) return;
    // An empty retained message clears a station from the broker: forget it here too.
    if (payload.length === 0) {
      if (this.stations.delete(name)) this.emit('change', this.list());
      return;
    }
    const r = parseFleetStatus(name, payload.toString('utf8'), this.nowMs());
    if (!r.ok) return this.reportOnce(`fleet: ${r.problem}`);
    this.stations.set(name, r.station);
    const max = this.opts.maxStations ?? 500;
    while (this.stations.size > max) {
      let oldest: FleetStation | null = null;
      for (const st of this.stations.values()) if (!oldest || st.lastSeenMs < oldest.lastSeenMs) oldest = st;
      this.stations.delete(oldest!.name);
    }
    this.emit('change', this.list());
  }

  /** A broken peer may repeat the same fault every few seconds: say it once. */
  private reportOnce(line: string): void {
    if (this.reported.has(line) || this.reported.size > 100) return;
    this.reported.add(line);
    this.opts.log(line);
  }
}

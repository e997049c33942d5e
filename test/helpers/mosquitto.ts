/** A real Mosquitto broker on loopback for MQTT tests (Debian package `mosquitto`; no mocks). */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { freePort } from '../../src/main/util/net';

// Debian installs it in /usr/sbin, which is not on a normal user's PATH.
const MOSQUITTO_BIN = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';

export class Mosquitto {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'vs-mosquitto-'));

  private constructor(
    readonly port: number,
    /** Keep sessions and queued messages across a restart (saved on SIGTERM). */
    private readonly persistence: boolean,
  ) {
    // Started as root, mosquitto drops to the `mosquitto` user: it must still write its database here.
    chmodSync(this.dir, 0o777);
  }

  static async start(opts: { persistence?: boolean } = {}): Promise<Mosquitto> {
    const m = new Mosquitto(await freePort(), opts.persistence ?? false);
    await m.restart();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Start (again) on the same port; resolves once the broker says it is running. */
  restart(): Promise<void> {
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'log_dest stderr',
        this.persistence ? `persistence true\npersistence_location ${this.dir}/` : 'persistence false',
      ].join('\n') + '\n',
    );
    return new Promise((resolve, reject) => {
      const proc = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.proc = proc;
      let log = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`mosquitto did not report "running" within 10 s: ${log}`));
      }, 10_000);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto could not start (apt-get install mosquitto): ${e.message}`));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited with ${code} before it was running: ${log}`));
      });
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
        // Bounded: only the start-up lines matter.
        if (log.length < 20_000) log += d;
        if (/mosquitto version \S+ running/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Stop the broker and wait for it to exit. SIGTERM saves persistence; SIGKILL does not. */
  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.removeAllListeners('exit');
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Received {
  topic: string;
  json: unknown;
  retain: boolean;
}

/** A subscriber that records every message and lets a test wait for a condition on them. */
export class TestSubscriber {
  readonly messages: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, json: JSON.parse(payload.toString()) as unknown, retain: packet.retain });
      for (const w of [...this.waiters]) w();
    });
  }

  static async connect(url: string, topic: string, options: IClientOptions = {}): Promise<TestSubscriber> {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    const sub = new TestSubscriber(client);
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('connect', () => {
        client.subscribe(topic, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
      });
    });
    return sub;
  }

  on(topicSuffix: string): Received[] {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix));
  }

  /** Resolves when `done()` holds; fails after `timeoutMs` naming `what`. */
  waitFor(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${this.messages.length} messages`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}

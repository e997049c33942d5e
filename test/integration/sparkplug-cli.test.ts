/**
 * `run --sparkplug` against a real mosquitto: a subscriber decodes NBIRTH, DBIRTH, DDATA and
 * NDEATH (clean stop, and the last will when the station is killed).
 */
import { spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpPayload } from '../../src/main/core/sparkplug';
import { decodePayload } from '../../src/main/integration/mqtt/sparkplug-codec';
import { jsonLines, runCli } from '../helpers/cli';
import { Mosquitto } from '../helpers/mosquitto';
import { CLI, ROOT } from '../helpers/paths';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => broker?.dispose());

/** Records decoded Sparkplug messages and lets a test wait for a condition on them. */
class SpSubscriber {
  readonly messages: { topic: string; payload: SpPayload }[] = [];
  private readonly waiters = new Set<() => void>();
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.messages.push({ topic, payload: decodePayload(payload) });
      for (const w of [...this.waiters]) w();
    });
  }

  static async connect(topic: string): Promise<SpSubscriber> {
    const client = mqtt.connect(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 });
    const sub = new SpSubscriber(client);
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('connect', () => client.subscribe(topic, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    });
    return sub;
  }

  of(type: string): SpPayload[] {
    return this.messages.filter((m) => m.topic.split('/')[2] === type).map((m) => m.payload);
  }

  waitFor(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
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
          new Error(`timed out waiting for ${what}; got ${this.messages.map((m) => m.topic).join(', ')}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}

const metric = (p: SpPayload, name: string) => p.metrics.find((m) => m.name === name)?.value;

describe('run --sparkplug against a real mosquitto', () => {
  it('births the node and the camera, sends the results as DDATA, and dies cleanly', async () => {
    const sub = await SpSubscriber.connect('spBv1.0/plant1/#');
    try {
      const r = await runCli([
        'run',
        '--source',
        'synthetic:?fps=30',
        '--model',
        'classic',
        '--frames',
        '30',
        '--json',
        '--sparkplug',
        `${broker.url}?group=plant1&node=line1&device=cam1&rate=1000`,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const frames = (
        jsonLines(r.stdout).slice(0, -1) as { frameId: number; detections: unknown[] }[]
      ).filter((f) => f.frameId !== undefined);
      expect(frames).toHaveLength(30);
      await sub.waitFor('NDEATH', () => sub.of('NDEATH').length === 1);

      expect(sub.messages.map((m) => m.topic.split('/')[2]).slice(0, 2)).toEqual(['NBIRTH', 'DBIRTH']);
      const [nbirth] = sub.of('NBIRTH');
      expect(nbirth!.seq).toBe(0);
      expect(metric(nbirth!, 'bdSeq')).toBe(0);
      expect(metric(nbirth!, 'Node Control/Rebirth')).toBe(false);
      expect(sub.of('NDEATH')[0]!.metrics).toEqual([{ name: 'bdSeq', datatype: 8, value: 0 }]);
      expect(sub.of('NDEATH')[0]!.seq).toBeUndefined();

      // seq counts every node message after NBIRTH, in order.
      const seqs = sub.messages.filter((m) => !m.topic.includes('/NDEATH/')).map((m) => m.payload.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i % 256));

      // Every result reached a DDATA (rate=1000 admits all at 30 fps), same frame ids and counts.
      // Results made before the broker session (a busy machine connects after the first frames)
      // are not replayed: the DBIRTH carries the newest of them, and every later one is a DDATA.
      const data = sub.of('DDATA');
      const ids = data.map((p) => metric(p, 'LastResult/FrameId')).filter((v) => v !== undefined);
      const births = sub.of('DBIRTH').map((p) => metric(p, 'LastResult/FrameId'));
      const published = [...births.filter((v) => v !== 0), ...ids].sort((a, b) => Number(a) - Number(b));
      expect(published.length).toBeGreaterThan(0);
      expect(published).toEqual(frames.map((f) => f.frameId).filter((id) => id >= Number(published[0])));
      // DDATA reports by exception: the detections metric travels only when it changed, so the
      // last frame's detections are those of the last message (in arrival order) that carried them.
      const last = frames.at(-1)!;
      const carried = sub.messages
        .filter((m) => /\/(DBIRTH|DDATA)\//.test(m.topic))
        .map((m) => m.payload)
        .filter((p) => metric(p, 'LastResult/Detections') !== undefined);
      expect(metric(carried.at(-1)!, 'LastResult/FrameId')).toBeLessThanOrEqual(last.frameId);
      expect(JSON.parse(String(metric(carried.at(-1)!, 'LastResult/Detections')))).toEqual(last.detections);
    } finally {
      await sub.close();
    }
  });

  it('the broker publishes NDEATH (the last will) when the station is killed', async () => {
    const sub = await SpSubscriber.connect('spBv1.0/plant2/#');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--source',
        'synthetic:?fps=10',
        '--model',
        'classic',
        '--sparkplug',
        `${broker.url}?group=plant2&node=n1`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      await sub.waitFor('DBIRTH', () => sub.of('DBIRTH').length > 0, 60_000);
      child.kill('SIGKILL');
      await sub.waitFor('the NDEATH will', () => sub.of('NDEATH').length === 1);
      expect(metric(sub.of('NDEATH')[0]!, 'bdSeq')).toBe(metric(sub.of('NBIRTH')[0]!, 'bdSeq'));
    } finally {
      child.kill('SIGKILL');
      await sub.close();
    }
  }, 90_000);
});

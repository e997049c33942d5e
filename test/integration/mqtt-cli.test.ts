import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/util/net';
import { jsonLines, runCli } from '../helpers/cli';
import { Mosquitto, TestSubscriber } from '../helpers/mosquitto';
import { CLI, ROOT } from '../helpers/paths';

interface RunLine {
  frameId: number;
  captureTimeMs: number;
  detections: { classId: number; className: string; score: number; box: number[] }[];
}
interface ResultMsg extends RunLine {
  count: number;
  model: string;
}

describe('run --mqtt against a real mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterAll(async () => broker?.dispose());

  it('a subscriber receives the results, counters and retained status that match run --json', async () => {
    const sub = await TestSubscriber.connect(broker.url, 'vision-station/line1/#');
    try {
      const r = await runCli([
        'run',
        '--source',
        'synthetic:?fps=30',
        '--model',
        'classic',
        '--frames',
        '45',
        '--json',
        '--mqtt',
        `${broker.url}?station=line1&camera=cam1&rate=1000`,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const frames = jsonLines(r.stdout).slice(0, -1) as RunLine[];
      expect(frames).toHaveLength(45);
      // The offline status is the last thing the station publishes before it disconnects.
      await sub.waitFor('the offline status', () =>
        sub.on('/line1/status').some((m) => (m.json as { online: boolean }).online === false),
      );

      // rate=1000 admits every frame at 30 fps: one results message per printed frame, same numbers.
      const results = sub.on('/line1/cam1/results').map((m) => m.json as ResultMsg);
      expect(results.map((m) => m.frameId)).toEqual(frames.map((f) => f.frameId));
      for (const [i, f] of frames.entries()) {
        expect(results[i]!.captureTimeMs).toBe(f.captureTimeMs);
        expect(results[i]!.detections).toEqual(f.detections);
        expect(results[i]!.count).toBe(f.detections.length);
        expect(results[i]!.model).toBe('classic');
      }
      expect(frames.some((f) => f.detections.length > 0)).toBe(true);

      const online = sub.on('/line1/status').find((m) => (m.json as { online: boolean }).online);
      expect(online?.json).toMatchObject({
        online: true,
        station: 'line1',
        cameras: ['cam1'],
        alarms: [],
        model: 'classic',
      });

      // A subscriber that arrives later still learns the final state from the retained topics.
      const late = await TestSubscriber.connect(broker.url, 'vision-station/line1/#');
      try {
        await late.waitFor('retained status and counters', () => late.messages.length >= 2);
        const detections = frames.reduce((n, f) => n + f.detections.length, 0);
        expect(late.messages.every((m) => m.retain)).toBe(true);
        expect(late.on('/status')[0]!.json).toEqual({
          online: false,
          station: 'line1',
          cameras: ['cam1'],
          reason: 'stopped',
        });
        expect(late.on('/cam1/counters')[0]!.json).toMatchObject({
          frames: 45,
          detections,
          perClass: { object: detections },
          lines: {},
          droppedMessages: 0,
        });
      } finally {
        await late.close();
      }
    } finally {
      await sub.close();
    }
  });

  it('the last will marks the station offline when its process is killed', async () => {
    const sub = await TestSubscriber.connect(broker.url, 'vision-station/line2/status');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--source',
        'synthetic:?fps=10',
        '--model',
        'classic',
        '--mqtt',
        `${broker.url}?station=line2&camera=cam9&statusMs=200`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const status = (): { online: boolean; reason?: string }[] =>
        sub.messages.map((m) => m.json as { online: boolean; reason?: string });
      await sub.waitFor('the online status', () => status().some((s) => s.online));
      child.kill('SIGKILL');
      await exited;
      await sub.waitFor('the last will', () => status().some((s) => !s.online));
      expect(status().find((s) => !s.online)).toEqual({
        online: false,
        station: 'line2',
        cameras: ['cam9'],
        reason: 'lost',
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; station stderr: ${stderr}`, { cause: e });
    } finally {
      child.kill('SIGKILL');
      await exited;
      await sub.close();
    }
  });

  it('a bad --mqtt URI is a usage error; an unreachable broker fails the run naming it', async () => {
    const bad = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--mqtt',
      'mqtt://h?rate=x',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'vision-station: run: --mqtt: MQTT URI "mqtt://h?rate=x": rate=x: must be a whole number',
    );
    const port = await freePort();
    const down = await runCli([
      'run',
      '--source',
      'synthetic:',
      '--model',
      'classic',
      '--frames',
      '5',
      '--mqtt',
      `mqtt://127.0.0.1:${port}`,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `MQTT broker mqtt://127.0.0.1:${port} not reachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});

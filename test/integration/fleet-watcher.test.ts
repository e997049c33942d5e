import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStation } from '../../src/shared/fleet';
import { FleetWatcher } from '../../src/main/integration/mqtt/fleet-watcher';
import { parseMqttUri } from '../../src/main/integration/mqtt/mqtt-config';
import { MqttSink } from '../../src/main/integration/mqtt/mqtt-sink';
import { Mosquitto } from '../helpers/mosquitto';

function waitFleet(
  w: FleetWatcher,
  what: string,
  done: (l: FleetStation[]) => boolean,
): Promise<FleetStation[]> {
  if (done(w.list())) return Promise.resolve(w.list());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      w.off('change', on);
      reject(new Error(`fleet never showed ${what}; last: ${JSON.stringify(w.list())}`));
    }, 15_000);
    const on = (l: FleetStation[]): void => {
      if (!done(l)) return;
      clearTimeout(timer);
      w.off('change', on);
      resolve(l);
    };
    w.on('change', on);
  });
}

describe('fleet watcher against a real mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterAll(async () => broker?.dispose());

  it('lists the stations publishing to the broker: cameras, fps, alarms, last seen, offline by will', async () => {
    const log = (): void => undefined;
    const a = new MqttSink(parseMqttUri(`${broker.url}?prefix=fleet&station=line-a&camera=top`), {
      log,
      model: 'bolts',
    });
    const b = new MqttSink(parseMqttUri(`${broker.url}?prefix=fleet&station=line-b&camera=side`), { log });
    // A station that dies: its will is what the broker keeps.
    const dying = mqtt.connect(broker.url, {
      reconnectPeriod: 0,
      will: {
        topic: 'fleet/line-c/status',
        payload: Buffer.from('{"online":false,"station":"line-c","cameras":["cam1"],"reason":"lost"}'),
        qos: 1,
        retain: true,
      },
    });
    const watcher = new FleetWatcher({ uri: `${broker.url}?prefix=fleet`, log });
    try {
      a.start();
      b.start();
      await new Promise<void>((resolve, reject) => {
        dying.once('error', reject);
        dying.once('connect', () =>
          dying.publish(
            'fleet/line-c/status',
            '{"online":true,"station":"line-c","cameras":["cam1"],"fps":3,"alarms":[]}',
            { qos: 1, retain: true },
            (e) => (e ? reject(e) : resolve()),
          ),
        );
      });
      a.alarm('plcDown', 'PLC unreachable', true);
      // Started after the stations: it learns them from the retained status.
      await watcher.start();
      const seen = await waitFleet(
        watcher,
        'three online stations, line-a with its alarm',
        (l) => l.length === 3 && l.every((s) => s.state === 'online') && l[0]!.alarms.includes('plcDown'),
      );
      expect(
        seen.map((s) => ({ name: s.name, cameras: s.cameras, alarms: s.alarms, model: s.model })),
      ).toEqual([
        { name: 'line-a', cameras: ['top'], alarms: ['plcDown'], model: 'bolts' },
        { name: 'line-b', cameras: ['side'], alarms: [], model: null },
        { name: 'line-c', cameras: ['cam1'], alarms: [], model: null },
      ]);
      expect(seen.every((s) => s.lastSeenMs > 0)).toBe(true);

      dying.stream.destroy();
      await b.close();
      const after = await waitFleet(
        watcher,
        'line-b stopped and line-c lost',
        (l) =>
          l.some((s) => s.name === 'line-b' && s.state === 'offline') &&
          l.some((s) => s.name === 'line-c' && s.state === 'offline'),
      );
      expect(after.map((s) => [s.name, s.state, s.offlineReason])).toEqual([
        ['line-a', 'online', null],
        ['line-b', 'offline', 'stopped'],
        ['line-c', 'offline', 'lost'],
      ]);
    } finally {
      await watcher.close();
      await a.close();
      await b.close();
      dying.end(true);
    }
  });

  it('fails to start naming the broker when there is none', async () => {
    const w = new FleetWatcher({ uri: 'mqtt://127.0.0.1:1?prefix=fleet', log: () => undefined });
    await expect(w.start(500)).rejects.toThrow(
      'fleet: broker mqtt://127.0.0.1:1 not reachable within 500 ms',
    );
  });
});

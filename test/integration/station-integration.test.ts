/**
 * The app's Integration settings through the station API, against a real mosquitto and a real
 * node-opcua client: enabling and disabling MQTT and OPC UA live, the fleet list on the broker
 * (with a peer's last will), failures as alarms while the line runs on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  AttributeIds,
  BrowseDirection,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
} from 'node-opcua';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationEvents } from '../../src/shared/api';
import type { MqttIntegrationSettings } from '../../src/shared/integration';
import { Station } from '../../src/main/station/station';
import { freePort } from '../../src/main/util/net';
import { Mosquitto, TestSubscriber } from '../helpers/mosquitto';
import { WORKER_JS } from '../helpers/paths';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => broker?.dispose());

async function startStation(
  settings: object = {},
  reuseDir?: string,
): Promise<{ station: Station; dir: string }> {
  const dir = reuseDir ?? mkdtempSync(join(tmpdir(), 'vs-station-int-'));
  if (!reuseDir) {
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=15',
        modelId: 'classic',
        plc: { uri: null },
        ...settings,
      }),
    );
  }
  const station = new Station({
    backend: 'websocket',
    version: 't',
    dataDir: dir,
    projectModelsDir: join(dir, 'none'),
    workerPath: WORKER_JS,
    log: () => undefined,
  });
  await station.start();
  cleanups.push(() => station.close());
  return { station, dir };
}

/** Resolves with the first push of `event` (or the current value) that satisfies `ok`. */
function waitForEvent<E extends keyof StationEvents>(
  station: Station,
  event: E,
  what: string,
  ok: (v: StationEvents[E]) => boolean,
  current?: () => Promise<StationEvents[E]>,
  timeoutMs = 15_000,
): Promise<StationEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      station.off(event, on as never);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const on = (v: StationEvents[E]): void => {
      if (!ok(v)) return;
      clearTimeout(timer);
      station.off(event, on as never);
      resolve(v);
    };
    station.on(event, on as never);
    void current?.().then(on);
  });
}

/** Resolves after the runtime has processed `n` more frames. */
function framesProcessed(station: Station, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => reject(new Error(`fewer than ${n} frames processed in 15 s`)), 15_000);
    const on = (): void => {
      if (++seen < n) return;
      clearTimeout(timer);
      station.vision.off('result', on);
      resolve();
    };
    station.vision.on('result', on);
  });
}

const mqttOn = (over: Partial<MqttIntegrationSettings> = {}): MqttIntegrationSettings => ({
  enabled: true,
  url: broker.url,
  prefix: 'it',
  station: 'line7',
  ratePerS: 1000,
  ...over,
});

describe('Integration settings: MQTT', () => {
  it('enabling MQTT at runtime starts publishing, disabling stops it; the setting survives a restart', async () => {
    const first = await startStation();
    expect((await first.station.getIntegration()).mqtt.state).toBe('off');
    const sub = await TestSubscriber.connect(broker.url, 'it/line7/#');
    cleanups.push(() => sub.close());

    const after = await first.station.setIntegration({ mqtt: mqttOn() });
    expect(after.mqtt).toMatchObject({ broker: broker.url, topicRoot: 'it/line7', origin: 'settings' });
    await waitForEvent(
      first.station,
      'integration',
      'MQTT connected',
      (s) => s.mqtt.state === 'connected',
      () => first.station.getIntegration(),
    );
    await sub.waitFor('results and the online status', () => {
      const online = sub.on('/line7/status').some((m) => (m.json as { online: boolean }).online);
      return online && sub.on('/line7/cam1/results').length >= 3;
    });
    await first.station.close();
    const saved = JSON.parse(readFileSync(join(first.dir, 'settings.json'), 'utf8')) as {
      integration: { mqtt: MqttIntegrationSettings };
    };
    expect(saved.integration.mqtt).toEqual(mqttOn());

    // Started again, the station publishes from its saved settings.
    const { station } = await startStation({}, first.dir);
    const before = sub.on('/line7/cam1/results').length;
    await sub.waitFor('results after the restart', () => sub.on('/line7/cam1/results').length > before);

    const off = await station.setIntegration({ mqtt: mqttOn({ enabled: false }) });
    expect(off.mqtt).toEqual({
      state: 'off',
      broker: null,
      topicRoot: null,
      origin: null,
      reason: null,
      outboxSize: 0,
      droppedMessages: 0,
    });
    await sub.waitFor(
      'the second offline status',
      () =>
        sub.on('/line7/status').filter((m) => (m.json as { reason?: string }).reason === 'stopped').length ===
        2,
    );
    const published = sub.on('/line7/cam1/results').length;
    await framesProcessed(station, 10);
    expect(sub.on('/line7/cam1/results').length).toBe(published);
    expect((await station.getFleet()).watching).toBeNull();
  });

  it('refuses a bad broker URL or topic level with the reason, before anything is touched', async () => {
    const { station } = await startStation();
    await expect(station.setIntegration({ mqtt: mqttOn({ url: 'http://x:1883' }) })).rejects.toThrow(
      /^MQTT settings: MQTT URI "http:\/\/x:1883\?.*": must start with mqtt:\/\/ or mqtts:\/\//,
    );
    await expect(station.setIntegration({ mqtt: mqttOn({ prefix: 'a/+/b' }) })).rejects.toThrow(
      /prefix=a\/\+\/b: level '\+' must not contain '\+', '#' or '\/'/,
    );
    const st = await station.getIntegration();
    expect(st.settings.mqtt.enabled).toBe(false);
    expect(st.mqtt.state).toBe('off');
  });

  it('a broker that cannot be reached is an alarm with the reason; the line runs on', async () => {
    const { station } = await startStation();
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    await station.setIntegration({ mqtt: mqttOn({ url: dead }) });
    const alarms = await waitForEvent(station, 'alarms', 'the mqttDown alarm', (list) =>
      list.some((a) => a.kind === 'mqttDown' && a.active),
    );
    expect(alarms.find((a) => a.kind === 'mqttDown')!.message).toContain(`MQTT broker ${dead} unavailable`);
    expect((await station.getIntegration()).mqtt.state).toBe('reconnecting');
    await framesProcessed(station, 5);
    await station.setIntegration({ mqtt: mqttOn({ url: dead, enabled: false }) });
    expect((await station.getSnapshot()).alarms.filter((a) => a.active).map((a) => a.kind)).toEqual([]);
  });
});

describe('Fleet view', () => {
  it('lists a station publishing on the broker, and shows it lost when its last will fires', async () => {
    const { station } = await startStation({
      integration: {
        mqtt: mqttOn({ prefix: 'fleet-it', station: 'self' }),
        opcua: { enabled: false, port: 4840, security: 'production' },
      },
    });
    // A peer station, as the documented topics describe it (core/mqtt-topics.ts).
    const offline = { online: false, station: 'press2', cameras: ['cam1', 'cam2'], reason: 'lost' };
    const peer = mqtt.connect(broker.url, {
      reconnectPeriod: 0,
      will: {
        topic: 'fleet-it/press2/status',
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    cleanups.push(() => void peer.end(true));
    await new Promise<void>((resolve, reject) => {
      peer.once('connect', () => resolve());
      peer.once('error', reject);
    });
    const online = {
      online: true,
      station: 'press2',
      cameras: ['cam1', 'cam2'],
      fps: 12.5,
      alarms: ['plcDown'],
      model: 'bolts',
      startedAtMs: 1,
      timeMs: 2,
    };
    await peer.publishAsync('fleet-it/press2/status', JSON.stringify(online), { qos: 1, retain: true });

    const seen = await waitForEvent(
      station,
      'fleet',
      'press2 online and self in the fleet',
      (f) => f.stations.some((s) => s.name === 'press2') && f.stations.some((s) => s.name === 'self'),
      () => station.getFleet(),
    );
    expect(seen.self).toBe('self');
    expect(seen.watching).toBe(`${broker.url} fleet-it/#`);
    expect(seen.stations.map((s) => [s.name, s.state])).toEqual([
      ['press2', 'online'],
      ['self', 'online'],
    ]);
    const p = (await station.getFleet()).stations.find((s) => s.name === 'press2')!;
    expect({ ...p, lastSeenMs: 0 }).toEqual({
      name: 'press2',
      state: 'online',
      cameras: ['cam1', 'cam2'],
      fps: 12.5,
      alarms: ['plcDown'],
      model: 'bolts',
      offlineReason: null,
      lastSeenMs: 0,
    });

    // The peer's connection dies without a goodbye: the broker publishes its last will.
    peer.stream.destroy();
    const lost = await waitForEvent(station, 'fleet', 'press2 lost', (f) =>
      f.stations.some((s) => s.name === 'press2' && s.state === 'offline'),
    );
    expect(lost.stations.find((s) => s.name === 'press2')).toMatchObject({
      state: 'offline',
      offlineReason: 'lost',
      fps: 0,
      alarms: [],
    });
    await peer.endAsync(true);
  });
});

describe('Integration settings: OPC UA', () => {
  it('a busy port is an alarm and the line runs on; on a free port a client reads the address space; off frees it', async () => {
    const { station, dir } = await startStation();
    const busy = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(busy, resolve));
    cleanups.push(() => new Promise((r) => blocker.close(() => r())));
    const failed = await station.setIntegration({ opcua: { enabled: true, port: busy, security: 'none' } });
    expect(failed.opcua.state).toBe('failed');
    expect(failed.opcua.reason).toContain(`port ${busy} could not start`);
    const alarm = (await station.getSnapshot()).alarms.find((a) => a.kind === 'opcuaFailed');
    expect(alarm?.active).toBe(true);
    expect(alarm?.message).toContain('the line runs on without OPC UA');
    await framesProcessed(station, 5);

    const port = await freePort();
    const on = await station.setIntegration({ opcua: { enabled: true, port, security: 'none' } });
    expect((await station.getSnapshot()).alarms.find((a) => a.kind === 'opcuaFailed')?.active).toBe(false);
    expect(on.opcua).toMatchObject({
      state: 'listening',
      security: 'none',
      origin: 'settings',
      reason: null,
    });
    expect(on.opcua.endpoint).toMatch(new RegExp(`^opc\\.tcp://.+:${port}$`));
    await framesProcessed(station, 3);

    const client = OPCUAClient.create({
      applicationName: 'vision-station-test',
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder: join(dir, 'client-pki'),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await client.connect(`opc.tcp://127.0.0.1:${port}`);
    try {
      const s = await client.createSession();
      try {
        const r = await s.browse({
          nodeId: 'ns=1;s=VisionStation',
          browseDirection: BrowseDirection.Forward,
          resultMask: 63,
        });
        const names = (r.references ?? []).map((x) => x.browseName.name!).filter((n) => !n.endsWith('Type'));
        expect(names.sort()).toEqual(['Cameras', 'Recipe', 'Status']);
        const model = await s.read({
          nodeId: 'ns=1;s=VisionStation.Status.Model',
          attributeId: AttributeIds.Value,
        });
        expect(model.statusCode).toBe(StatusCodes.Good);
        expect(model.value.value).toBe('classic');
        const frames = await s.read({
          nodeId: 'ns=1;s=VisionStation.Cameras.cam1.Counters.Frames',
          attributeId: AttributeIds.Value,
        });
        expect(frames.value.value as number).toBeGreaterThan(0);
      } finally {
        await s.close();
      }
    } finally {
      await client.disconnect();
    }

    const off = await station.setIntegration({ opcua: { enabled: false, port, security: 'none' } });
    expect(off.opcua.state).toBe('off');
    // The port is free again: something else can listen on it.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, resolve);
    });
    await new Promise((r) => probe.close(r));
    // Making the OPC UA certificates (server and client) takes long on a loaded machine.
  }, 180_000);
});

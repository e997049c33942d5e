import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { parseMqttUri } from '../../src/main/integration/mqtt/mqtt-config';
import { createMqttSink, MqttSink, type MqttResultInput } from '../../src/main/integration/mqtt/mqtt-sink';
import { freePort } from '../../src/main/util/net';
import { Mosquitto, TestSubscriber } from '../helpers/mosquitto';

function frame(frameId: number, crossings: MqttResultInput['crossings'] = []): MqttResultInput {
  const r: FrameResult = {
    frameId,
    captureTimeMs: 1_700_000_000_000 + frameId,
    resultTimeMs: 1_700_000_000_010 + frameId,
    widthPx: 640,
    heightPx: 480,
    detections: [
      { classId: 2, className: 'bolt', score: 0.87654, box: [10.123, 20, 30, 40.456], trackId: 7 },
    ],
    modelName: 'm',
    provider: 'cpu',
    timings: { preMs: 1, inferMs: 2, postMs: 3 },
  };
  return { ...r, crossings };
}

function waitLink(sink: MqttSink, connected: boolean): Promise<void> {
  if (sink.stats().connected === connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sink link never became connected=${connected}`)),
      15_000,
    );
    const on = (s: { connected: boolean }): void => {
      if (s.connected !== connected) return;
      clearTimeout(timer);
      sink.off('link', on);
      resolve();
    };
    sink.on('link', on);
  });
}

function waitIdle(sink: MqttSink): Promise<void> {
  const s = sink.stats();
  if (s.outboxSize === 0 && s.inflight === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sink never acknowledged all QoS-1 messages')), 15_000);
    sink.once('idle', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const log = (): void => undefined;
const fastRetry = { initialDelayMs: 20, maxDelayMs: 200, factor: 2, jitter: 0 };

describe('MQTT sink against a real mosquitto', () => {
  let broker: Mosquitto;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    broker = await Mosquitto.start({ persistence: true });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => broker?.dispose());

  it('a broker restart loses no QoS-1 event beyond the bounded outbox: the oldest are dropped and counted', async () => {
    const sub = await TestSubscriber.connect(broker.url, 'vs-test/s1/cam1/#', {
      clientId: 'restart-subscriber',
      clean: false,
      reconnectPeriod: 50,
    });
    cleanups.push(() => sub.close());
    const sink = new MqttSink(parseMqttUri(`${broker.url}?prefix=vs-test&station=s1&outbox=20&rate=0`), {
      log,
      backoff: fastRetry,
    });
    cleanups.push(() => sink.close());
    sink.start();
    await waitLink(sink, true);

    const events = (): number[] => sub.on('/events').map((m) => (m.json as { trackId: number }).trackId);
    for (let i = 1; i <= 10; i++) sink.offer(frame(i, [{ line: 'gate', trackId: i, direction: 'in' }]));
    await sub.waitFor('the first 10 events', () => events().length >= 10);
    await waitIdle(sink);

    await broker.stop('SIGTERM');
    await waitLink(sink, false);
    for (let i = 11; i <= 60; i++)
      sink.offer(frame(i, [{ line: 'gate', trackId: i, direction: i % 2 ? 'in' : 'out' }]));
    expect(sink.stats()).toMatchObject({ connected: false, outboxSize: 20, droppedMessages: 30 });

    await broker.restart();
    await sub.waitFor('events 41..60 after the restart', () => events().includes(60));
    await waitIdle(sink);
    // At least once: a resend may duplicate, but nothing kept in the outbox is missing, in order.
    const unique = [...new Set(events())];
    expect(unique).toEqual([...range(1, 10), ...range(41, 60)]);
    expect(sub.on('/events')[0]!.json).toEqual({
      type: 'crossing',
      frameId: 1,
      captureTimeMs: 1_700_000_000_001,
      line: 'gate',
      trackId: 1,
      direction: 'in',
    });
    // Counters after the reconnect say how many were dropped (retained, republished on connect).
    await sub.waitFor('counters with droppedMessages 30', () =>
      sub.on('/counters').some((m) => (m.json as { droppedMessages: number }).droppedMessages === 30),
    );
    const counters = sub.on('/counters').at(-1)!.json as Record<string, unknown>;
    expect(counters).toMatchObject({
      frames: 60,
      detections: 60,
      perClass: { bolt: 60 },
      lines: { gate: { in: 35, out: 25 } },
      droppedMessages: 30,
    });
  });

  it('publishes rate-limited results, alarms at QoS 1, and a retained status that lists active alarms', async () => {
    let nowMs = 1_000_000;
    const sink = new MqttSink(parseMqttUri(`${broker.url}?prefix=vs-test&station=s2&camera=top&rate=10`), {
      log,
      backoff: fastRetry,
      model: 'bolts',
      nowMs: () => nowMs,
    });
    cleanups.push(() => sink.close());
    const sub = await TestSubscriber.connect(broker.url, 'vs-test/s2/#');
    cleanups.push(() => sub.close());
    sink.start();
    await waitLink(sink, true);
    // rate=10: at most one result per 100 ms of the sink's clock.
    for (const [id, t] of [
      [1, 0],
      [2, 50],
      [3, 99],
      [4, 100],
      [5, 250],
    ] as const) {
      nowMs = 1_000_000 + t;
      sink.offer(frame(id));
    }
    sink.alarm('sourceLost', 'source reconnecting: timeout', true);
    await sub.waitFor('result of frame 5', () => sub.on('/top/results').length >= 3);
    expect(sub.on('/top/results').map((m) => (m.json as { frameId: number }).frameId)).toEqual([1, 4, 5]);
    expect(sub.on('/top/results')[0]!.json).toEqual({
      frameId: 1,
      captureTimeMs: 1_700_000_000_001,
      resultTimeMs: 1_700_000_000_011,
      widthPx: 640,
      heightPx: 480,
      model: 'm',
      count: 1,
      detections: [{ classId: 2, className: 'bolt', score: 0.8765, box: [10.12, 20, 30, 40.46], trackId: 7 }],
    });
    await sub.waitFor('a status listing the alarm', () =>
      sub.on('/s2/status').some((m) => (m.json as { alarms: string[] }).alarms?.includes('sourceLost')),
    );
    sink.alarm('sourceLost', 'camera live again', false);
    await sub.waitFor('the alarm cleared', () => sub.on('/top/alarms').length >= 2);
    expect(sub.on('/top/alarms').map((m) => m.json)).toEqual([
      {
        type: 'alarm',
        kind: 'sourceLost',
        message: 'source reconnecting: timeout',
        active: true,
        timeMs: 1_000_250,
      },
      { type: 'alarm', kind: 'sourceLost', message: 'camera live again', active: false, timeMs: 1_000_250 },
    ]);
    await sub.waitFor('a status without alarms', () => {
      const last = sub.on('/s2/status').at(-1)?.json as { alarms?: string[] } | undefined;
      return last?.alarms?.length === 0;
    });

    await sink.close();
    const late = await TestSubscriber.connect(broker.url, 'vs-test/s2/status');
    cleanups.push(() => late.close());
    await late.waitFor('the retained status', () => late.messages.length >= 1);
    expect(late.messages[0]).toEqual({
      topic: 'vs-test/s2/status',
      retain: true,
      json: { online: false, station: 's2', cameras: ['top'], reason: 'stopped' },
    });
  });

  it('with failFast, an unreachable broker fails at once naming it', async () => {
    const port = await freePort();
    await expect(
      createMqttSink(`mqtt://127.0.0.1:${port}`, { log, failFast: true, backoff: fastRetry }),
    ).rejects.toThrow(
      `MQTT broker mqtt://127.0.0.1:${port} not reachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

import { describe, expect, it } from 'vitest';
import { BoundedOutbox } from '../../src/main/core/bounded-outbox';
import {
  countResult,
  emptyCounters,
  mqttTopics,
  RateGate,
  resultPayload,
  topicLevelProblem,
  topicPrefixProblem,
  type ResultInput,
} from '../../src/main/core/mqtt-topics';
import { MqttConfigError, parseMqttUri } from '../../src/main/integration/mqtt/mqtt-config';

const result = (crossings: ResultInput['crossings'] = []): ResultInput => ({
  frameId: 5,
  captureTimeMs: 1000,
  resultTimeMs: 1040,
  widthPx: 640,
  heightPx: 480,
  modelName: 'bolts',
  detections: [
    { classId: 0, className: 'bolt', score: 0.123456, box: [1.005, 2.5, 3.333, 4], trackId: -1 },
    { classId: 1, className: 'nut', score: 0.9, box: [0, 0, 10, 10], trackId: 3 },
    {
      classId: 0,
      className: 'bolt',
      score: 0.5,
      box: [0, 0, 1, 1],
      mask: {
        areaPx: 7,
        polygon: [
          [0.04, 1.06],
          [2, 3],
        ],
        angleDeg: 12.345,
        centroid: [0.5, 0.123],
      },
    },
  ],
  crossings,
});

describe('MQTT topics and payloads', () => {
  it('builds the documented topics under prefix/station/camera', () => {
    expect(mqttTopics('plant1/vision', 'line1', 'cam2')).toEqual({
      status: 'plant1/vision/line1/status',
      results: 'plant1/vision/line1/cam2/results',
      events: 'plant1/vision/line1/cam2/events',
      counters: 'plant1/vision/line1/cam2/counters',
      alarms: 'plant1/vision/line1/cam2/alarms',
    });
  });

  it('rejects wildcards, separators, empty and control characters in topic levels', () => {
    expect(topicLevelProblem('line-1.a')).toBeNull();
    expect(topicLevelProblem('')).toBe('must not be empty');
    expect(topicLevelProblem('a+b')).toBe("must not contain '+', '#' or '/'");
    expect(topicLevelProblem('a/b')).toBe("must not contain '+', '#' or '/'");
    expect(topicLevelProblem('a\u0001')).toBe('must not contain control characters');
    expect(topicPrefixProblem('plant/vision')).toBeNull();
    expect(topicPrefixProblem('plant//vision')).toBe("level '' must not be empty");
    expect(topicPrefixProblem('plant/#')).toBe("level '#' must not contain '+', '#' or '/'");
  });

  it('result payload rounds like run --json, trackId -1 when not tracked', () => {
    expect(resultPayload(result())).toEqual({
      frameId: 5,
      captureTimeMs: 1000,
      resultTimeMs: 1040,
      widthPx: 640,
      heightPx: 480,
      model: 'bolts',
      count: 3,
      detections: [
        { classId: 0, className: 'bolt', score: 0.1235, box: [1, 2.5, 3.33, 4], trackId: -1 },
        { classId: 1, className: 'nut', score: 0.9, box: [0, 0, 10, 10], trackId: 3 },
        {
          classId: 0,
          className: 'bolt',
          score: 0.5,
          box: [0, 0, 1, 1],
          trackId: -1,
          mask: {
            areaPx: 7,
            polygon: [
              [0, 1.1],
              [2, 3],
            ],
            angleDeg: 12.35,
            centroid: [0.5, 0.12],
          },
        },
      ],
    });
  });

  it('counts frames, detections per class and crossings per line without changing its input', () => {
    const c0 = emptyCounters();
    const c1 = countResult(c0, result([{ line: 'gate', trackId: 3, direction: 'in' }]));
    const c2 = countResult(
      c1,
      result([
        { line: 'gate', trackId: 4, direction: 'out' },
        { line: 'exit', trackId: 4, direction: 'in' },
        { line: 'gate', trackId: 5, direction: 'in' },
      ]),
    );
    expect(c0).toEqual({ frames: 0, detections: 0, perClass: {}, lines: {}, droppedMessages: 0 });
    expect(c1).toEqual({
      frames: 1,
      detections: 3,
      perClass: { bolt: 2, nut: 1 },
      lines: { gate: { in: 1, out: 0 } },
      droppedMessages: 0,
    });
    expect(c2).toEqual({
      frames: 2,
      detections: 6,
      perClass: { bolt: 4, nut: 2 },
      lines: { gate: { in: 2, out: 1 }, exit: { in: 1, out: 0 } },
      droppedMessages: 0,
    });
  });

  it('rate gate admits one result per 1000/rate ms, none at rate 0', () => {
    const g = new RateGate(4);
    expect([0, 100, 249, 250, 499, 500, 1000].map((t) => g.admit(t))).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
      true,
    ]);
    const off = new RateGate(0);
    expect([0, 1000, 5000].map((t) => off.admit(t))).toEqual([false, false, false]);
    expect(() => new RateGate(-1)).toThrow('rate must be >= 0 (got -1)');
  });
});

describe('bounded outbox', () => {
  it('drops and counts the oldest when full; requeued messages go to the head', () => {
    const o = new BoundedOutbox<number>(3);
    for (const n of [1, 2, 3, 4, 5]) o.push(n);
    expect([o.size, o.dropped]).toEqual([3, 2]);
    expect(o.shift()).toBe(3);
    o.requeue([10, 11]);
    // [10, 11, 4, 5] overflows by one: the oldest (10) goes.
    expect([o.size, o.dropped]).toEqual([3, 3]);
    expect([o.shift(), o.shift(), o.shift(), o.shift()]).toEqual([11, 4, 5, undefined]);
    expect(() => new BoundedOutbox(0)).toThrow('outbox capacity must be a whole number >= 1 (got 0)');
  });
});

describe('--mqtt URI', () => {
  it('parses broker, credentials and settings, with defaults', () => {
    expect(
      parseMqttUri(
        'mqtt://u%40x:p%3Aw@10.0.0.2:1884?prefix=plant/vs&station=line1&camera=top&rate=20&outbox=50&statusMs=500',
      ),
    ).toEqual({
      brokerUrl: 'mqtt://10.0.0.2:1884',
      username: 'u@x',
      password: 'p:w',
      prefix: 'plant/vs',
      station: 'line1',
      camera: 'top',
      ratePerS: 20,
      outboxCapacity: 50,
      statusIntervalMs: 500,
    });
    expect(parseMqttUri('mqtts://broker.local?station=s')).toMatchObject({
      brokerUrl: 'mqtts://broker.local:8883',
      prefix: 'vision-station',
      station: 's',
      camera: 'cam1',
      ratePerS: 5,
      outboxCapacity: 1000,
      statusIntervalMs: 2000,
    });
  });

  it('says what is wrong and masks credentials', () => {
    const bad: [string, string][] = [
      ['tcp://h', 'MQTT URI "tcp://h": must start with mqtt:// or mqtts://'],
      ['mqtt://h?rate=fast', 'MQTT URI "mqtt://h?rate=fast": rate=fast: must be a whole number'],
      ['mqtt://h?rate=5000', 'MQTT URI "mqtt://h?rate=5000": rate=5000: must be 0..1000'],
      [
        'mqtt://h?station=a/b',
        "MQTT URI \"mqtt://h?station=a/b\": station=a/b: must not contain '+', '#' or '/'",
      ],
      [
        'mqtt://u:secret@h?qos=2',
        'MQTT URI "mqtt://***@h?qos=2": unknown parameter "qos" (known: prefix, station, camera, rate, outbox, statusMs)',
      ],
      ['mqtt://h/path', 'MQTT URI "mqtt://h/path": unexpected path "/path"; put settings after "?"'],
    ];
    for (const [uri, message] of bad) {
      expect(() => parseMqttUri(uri)).toThrow(MqttConfigError);
      expect(() => parseMqttUri(uri)).toThrow(message);
    }
  });
});

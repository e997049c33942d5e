import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmKind, PlcStatus } from '../../src/shared/api';
import { messageKey } from '../../src/shared/message-keys';
import { mostSevereActive, plcDeliveryProblem, stationVerdict } from '../../src/shared/verdict';

let nextId = 1;
const alarm = (kind: AlarmKind, raisedAtMs: number, active = true): Alarm => ({
  id: nextId++,
  kind,
  message: `${kind} message`,
  raisedAtMs,
  active,
  acknowledged: false,
  clearedAtMs: null,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
});

const plc = (p: Partial<PlcStatus>): PlcStatus => ({
  state: 'connected',
  endpoint: 'simulator on 127.0.0.1:1102',
  handshake: 'free-run',
  lifeCounter: 5,
  writesPerSec: 10,
  lastWriteTimeMs: 10_000,
  lastError: null,
  lastBlock: null,
  ...p,
});

const statusBlock = (status: number): PlcStatus['lastBlock'] => ({
  frameId: 1,
  fields: [{ name: 'status', offsetBytes: 2, type: 'WORD', value: status, hex: '' }],
});

describe('stationVerdict', () => {
  it('is OK with no alarms, and with only cleared ones', () => {
    expect(stationVerdict([])).toEqual({ state: 'ok', cause: null });
    expect(stationVerdict([alarm('plcDown', 1, false)])).toEqual({ state: 'ok', cause: null });
  });

  it('a warning-level alarm gives WARNING, a stop-level one STOPPED, whatever their order', () => {
    const fps = alarm('fpsBelowTarget', 100);
    const plcDown = alarm('plcDown', 50);
    expect(stationVerdict([fps])).toEqual({ state: 'warning', cause: fps });
    expect(stationVerdict([fps, plcDown])).toEqual({ state: 'stopped', cause: plcDown });
    expect(stationVerdict([plcDown, fps])).toEqual({ state: 'stopped', cause: plcDown });
  });

  it('the oldest message does not win over an active one: the cleared camera error is ignored', () => {
    const camera = alarm('sourceLost', 1, false);
    const plcDown = alarm('plcDown', 2);
    expect(mostSevereActive([camera, plcDown])).toBe(plcDown);
  });

  it('among equally severe active alarms the newest is the cause', () => {
    const a = alarm('sourceLost', 10);
    const b = alarm('plcDown', 20);
    expect(mostSevereActive([a, b])).toBe(b);
    expect(mostSevereActive([b, a])).toBe(b);
  });
});

describe('plcDeliveryProblem', () => {
  it('is null without a PLC and when writes are recent and clean', () => {
    expect(plcDeliveryProblem(null, [], 0)).toBeNull();
    expect(plcDeliveryProblem(plc({ state: 'off' }), [], 99_999)).toBeNull();
    expect(plcDeliveryProblem(plc({ lastBlock: statusBlock(0b111) }), [], 12_000)).toBeNull();
  });

  it('link down when not connected or while plcDown is active', () => {
    expect(plcDeliveryProblem(plc({ state: 'connecting' }), [], 10_000)).toBe('linkDown');
    expect(plcDeliveryProblem(plc({ state: 'disconnected' }), [], 10_000)).toBe('linkDown');
    expect(plcDeliveryProblem(plc({}), [alarm('plcDown', 1)], 10_000)).toBe('linkDown');
  });

  it('stale when the last write is older than 3 s, never written, or flagged stale', () => {
    expect(plcDeliveryProblem(plc({}), [], 13_000)).toBeNull();
    expect(plcDeliveryProblem(plc({}), [], 13_001)).toBe('stale');
    expect(plcDeliveryProblem(plc({ lastWriteTimeMs: null }), [], 0)).toBe('stale');
    expect(plcDeliveryProblem(plc({ lastBlock: statusBlock(1 << 4) }), [], 10_000)).toBe('stale');
  });

  it('overflow from the status word bit 3', () => {
    expect(plcDeliveryProblem(plc({ lastBlock: statusBlock((1 << 3) | 0b111) }), [], 10_000)).toBe(
      'overflow',
    );
  });
});

describe('messageKey', () => {
  it('maps the station message patterns to keys with their parameters', () => {
    expect(messageKey('PLC simulator on 127.0.0.1:1102 not reachable: connection refused')).toEqual({
      key: 'plcUnreachable',
      params: { endpoint: 'simulator on 127.0.0.1:1102', reason: 'connection refused' },
    });
    expect(messageKey('camera stalled: no frame for 2 s')).toEqual({
      key: 'cameraState',
      params: { state: 'stalled', reason: 'no frame for 2 s' },
    });
    expect(messageKey('2.5 fps, below the 4 fps target for 10 s or more')).toEqual({
      key: 'fpsBelow',
      params: { fps: '2.5', target: '4', s: '10' },
    });
    expect(messageKey('swap to yolo11n failed: bad file')).toEqual({
      key: 'swapFailed',
      params: { name: 'yolo11n', reason: 'bad file' },
    });
    expect(messageKey('something new')).toBeNull();
  });
});

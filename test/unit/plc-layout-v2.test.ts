import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import {
  blockSizeBytes,
  countersAreaOffsetBytes,
  describePlcLayout,
  flattenPlcLayout,
  requiredDbSizeBytes,
} from '../../src/shared/plc-layout';
import {
  encodeCounterSlots,
  encodeCountersResetRequest,
  encodeDataArea,
  rankRecords,
} from '../../src/main/core/plc/encode';
import { decodeBlock, decodeCountersArea } from '../../src/main/core/plc/decode';
import { generateLayout } from '../../src/main/core/plc/scl';
import { formatSerialLine, parseSerialLine, serialLineValues } from '../../src/main/core/serial-format';
import { main as plcLayoutMain } from '../../src/main/cli/plc-layout';

describe('PLC layout v2', () => {
  it('is v1 unchanged plus 8 × (inCount, outCount) and a reset request after the control area', () => {
    expect(blockSizeBytes(16)).toBe(20 + 16 * 28 + 12);
    expect(blockSizeBytes(16, 2)).toBe(20 + 16 * 28 + 12 + 68);
    expect(countersAreaOffsetBytes(16)).toBe(480);
    expect(requiredDbSizeBytes(2, 10, 2)).toBe(10 + 20 + 56 + 12 + 68);
    const v1 = flattenPlcLayout(2, 0, 1);
    const v2 = flattenPlcLayout(2, 0, 2);
    expect(v2.slice(0, v1.length)).toEqual(v1);
    expect(v2.slice(v1.length).map((f) => [f.path, f.dbOffset, f.type, f.writtenBy])).toEqual([
      ...Array.from({ length: 8 }, (_, j) => [
        [`counters.lines[${j}].inCount`, 88 + 8 * j, 'DINT', 'app'],
        [`counters.lines[${j}].outCount`, 92 + 8 * j, 'DINT', 'app'],
      ]).flat(),
      ['counters.countersResetRequest', 152, 'DINT', 'plc'],
    ]);
    expect(describePlcLayout(2, 0, 1).counters).toBeUndefined();
    expect(describePlcLayout(2, 0, 2)).toMatchObject({
      version: 2,
      blockSizeBytes: 156,
      counters: { offsetBytes: 88 },
    });
  });

  it('encodes counter slots big-endian in the lines order, unused slots 0, and decodes them back', () => {
    const slots = encodeCounterSlots([
      { line: 'a', in: 1, out: 258 },
      { line: 'b', in: 70000, out: 0 },
    ]);
    expect(slots.byteLength).toBe(64);
    expect([...slots.subarray(0, 16)]).toEqual([0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0x11, 0x70, 0, 0, 0, 0]);
    expect(slots.subarray(16).every((b) => b === 0)).toBe(true);
    const area = new Uint8Array(68);
    area.set(slots);
    const reset = encodeCountersResetRequest(7);
    area.set(reset.bytes, reset.offset);
    const decoded = decodeCountersArea(area);
    expect(decoded.lines.slice(0, 3)).toEqual([
      { inCount: 1, outCount: 258 },
      { inCount: 70000, outCount: 0 },
      { inCount: 0, outCount: 0 },
    ]);
    expect(decoded.countersResetRequest).toBe(7);
    expect(() =>
      encodeCounterSlots(Array.from({ length: 9 }, (_, i) => ({ line: `l${i}`, in: 0, out: 0 }))),
    ).toThrow(/room for 8/);
  });

  it('documents v2 in SCL and Markdown; --version picks it and refuses other values', async () => {
    const scl = generateLayout('scl', { maxObjects: 2, version: 2 });
    expect(scl).toContain('layout v2, maxObjects = 2');
    expect(scl).toContain('      counters : Struct   // +88, layout v2');
    expect(scl).toContain('countersResetRequest : DInt;   // +64');
    expect(generateLayout('scl', { maxObjects: 2 })).not.toContain('counters');
    expect(generateLayout('md', { maxObjects: 2, version: 2 })).toContain(
      '| 152 | DINT | countersResetRequest | plc |',
    );
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    expect(
      await plcLayoutMain(['--version', '2', '--format', 'json', '--max-objects', '4'], {
        stdout: out,
        stderr: err,
      }),
    ).toBe(0);
    expect(JSON.parse(text)).toMatchObject({ version: 2, blockSizeBytes: 20 + 4 * 28 + 12 + 68 });
    let errText = '';
    err.on('data', (d: Buffer) => (errText += d.toString()));
    expect(await plcLayoutMain(['--version', '3'], { stdout: out, stderr: err })).toBe(2);
    expect(errText).toBe('plc-layout: --version: must be 1 or 2\n');
  });
});

describe('what reaches the PLC', () => {
  const result = (over: Partial<FrameResult> = {}): FrameResult => ({
    frameId: 5,
    captureTimeMs: 1000,
    resultTimeMs: 1000,
    widthPx: 100,
    heightPx: 100,
    detections: [
      { classId: 1, className: 'a', score: 0.9, box: [0, 0, 10, 10], trackId: 3 },
      { classId: 2, className: 'b', score: 0.8, box: [20, 20, 40, 40], trackId: 4, eligibleForOutput: false },
      { classId: 3, className: 'c', score: 0.7, box: [50, 50, 60, 70], trackId: 5, eligibleForOutput: true },
    ],
    modelName: 'm',
    provider: 'cpu',
    timings: { preMs: 0, inferMs: 0, postMs: 0 },
    ...over,
  });
  const input = (r: FrameResult) => ({
    result: r,
    lifeCounter: 1,
    requestId: 0,
    cameraOk: true,
    modelOk: true,
    stale: false,
    writeTimeMs: 1000,
    utcOffsetMin: 0,
  });

  it('zone-excluded objects are left out; records carry the real trackId', () => {
    const ranked = rankRecords(result().detections, { maxObjects: 4 });
    expect(ranked.records.map((r) => [r.classId, r.trackId])).toEqual([
      [1, 3],
      [3, 5],
    ]);
    expect(ranked).toMatchObject({ totalCount: 2, overflow: false });
    const block = decodeBlock(encodeDataArea(input(result()), { maxObjects: 4 }).bytes, 4);
    expect(block.header.count).toBe(2);
    expect(block.status.resultsValid).toBe(true);
  });

  it('serial lines carry the real trackId, leave zone-excluded objects out, and mark learning frames invalid', () => {
    const line = parseSerialLine(formatSerialLine('csv', input(result()), { maxObjects: 4 }));
    expect(line.objects.map((o) => [o.classId, o.trackId])).toEqual([
      [1, 3],
      [3, 5],
    ]);
    const learning = serialLineValues(input(result({ learning: true })), { maxObjects: 4 });
    expect([learning.status.resultsValid, learning.count]).toEqual([false, 0]);
  });

  it('a learning frame is written with resultsValid 0 and no records (not stale)', () => {
    const block = decodeBlock(encodeDataArea(input(result({ learning: true })), { maxObjects: 4 }).bytes, 4);
    expect(block.status).toMatchObject({ resultsValid: false, stale: false });
    expect(block.header.count).toBe(0);
    expect(block.tailZeroed).toBe(true);
  });
});

describe('layout version per connection', () => {
  it('is chosen in the PLC URI (s7 and sim) and defaults to 1', async () => {
    const { parsePlcUri, parsePlcSettings } = await import('../../src/main/plc/plc-config');
    expect(parsePlcUri('s7://10.0.0.1?db=5&layout=2')).toMatchObject({
      kind: 's7',
      settings: { layoutVersion: 2 },
    });
    expect(parsePlcSettings({ host: 'h', dbNumber: 1 }).layoutVersion).toBe(1);
    expect(parsePlcUri('sim?layout=2')).toEqual({ kind: 'sim', layoutVersion: 2 });
    expect(() => parsePlcUri('s7://10.0.0.1?db=5&layout=3')).toThrow(
      'PLC URI "s7://10.0.0.1?db=5&layout=3": layout=3 must be 1 or 2',
    );
    expect(() => parsePlcSettings({ host: 'h', dbNumber: 1, layoutVersion: 3 })).toThrow(
      /layoutVersion: must be 1 or 2/,
    );
  });
});

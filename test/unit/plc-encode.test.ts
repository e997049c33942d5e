import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/shared/detection';
import type { FrameResult } from '../../src/shared/frame';
import {
  encodeControlArea,
  encodeControlField,
  encodeDataArea,
  frameIdToDint,
  timeOfDayMs,
  type EncodeInput,
} from '../../src/main/core/plc/encode';

/** Hex string (spaces ignored) -> bytes, so expected buffers read like a DB monitor. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function det(partial: Partial<Detection> & Pick<Detection, 'box' | 'score'>): Detection {
  return { classId: 0, className: 'x', ...partial };
}

// 2024-01-01 01:02:03.456 UTC = 02:02:03.456 local at UTC+1 -> 7 323 456 ms = 0x006FBF40.
const CAPTURE_MS = Date.UTC(2024, 0, 1, 1, 2, 3, 456);

function frame(detections: Detection[], frameId = 258): FrameResult {
  return {
    frameId,
    captureTimeMs: CAPTURE_MS,
    resultTimeMs: CAPTURE_MS + 20,
    widthPx: 640,
    heightPx: 480,
    detections,
    modelName: 'm',
    provider: 'cpu',
    timings: { preMs: 1, inferMs: 2, postMs: 3 },
  };
}

function input(result: FrameResult, over: Partial<EncodeInput> = {}): EncodeInput {
  return {
    result,
    lifeCounter: 32767,
    requestId: 0,
    cameraOk: true,
    modelOk: true,
    stale: false,
    writeTimeMs: CAPTURE_MS + 37,
    utcOffsetMin: 60,
    ...over,
  };
}

describe('encodeDataArea (layout v1)', () => {
  it('ranks by score, truncates with overflow, writes negative numbers big-endian', () => {
    const dets = [
      det({ classId: 3, score: 0.5, box: [-14, -22, -6, -18] }), // centre (-10,-20), 8x4, no track
      det({
        classId: 7,
        score: 0.75,
        box: [90, 25, 110, 35],
        trackId: 12,
        mask: { areaPx: 1, polygon: [], angleDeg: -45, centroid: [0, 0] },
      }),
      det({ classId: 1, score: 0.25, box: [0, 0, 1, 1] }), // lowest score: dropped
    ];
    const { bytes, overflow } = encodeDataArea(input(frame(dets)), { maxObjects: 2 });
    expect(overflow).toBe(true);
    const expected = hex(`
      7FFF 000F 00000102 00000000 006FBF40 0002 0025
      0007 000C 3F400000 42C80000 41F00000 41A00000 41200000 C2340000
      0003 FFFF 3F000000 C1200000 C1A00000 41000000 40800000 00000000`);
    expect(toHex(bytes)).toBe(toHex(expected));
  });

  it('zeroes unused records and clamps INT fields and latency', () => {
    const dets = [det({ classId: 40000, score: 1, box: [0, 0, 2, 2], trackId: -2 })];
    const result = { ...frame(dets, 2 ** 31 + 5), captureTimeMs: CAPTURE_MS };
    const { bytes } = encodeDataArea(
      input(result, { lifeCounter: 0, requestId: 123456, writeTimeMs: CAPTURE_MS + 40000 }),
      { maxObjects: 3 },
    );
    const expected = hex(`
      0000 0007 00000005 0001E240 006FBF40 0001 7FFF
      7FFF FFFE 3F800000 3F800000 3F800000 40000000 40000000 00000000
      ${'00'.repeat(56)}`);
    expect(toHex(bytes)).toBe(toHex(expected));
  });

  it('writes a stale result as not valid: count 0, all records zero, stale bit', () => {
    const dets = [det({ classId: 1, score: 0.9, box: [0, 0, 10, 10] })];
    const { bytes } = encodeDataArea(
      input(frame(dets), { modelOk: false, stale: true, writeTimeMs: CAPTURE_MS - 5 }),
      { maxObjects: 1 },
    );
    // status: cameraOk (1) + stale (16) = 0x0011; latency negative (clock step) -> 0.
    const expected = hex(`7FFF 0011 00000102 00000000 006FBF40 0000 0000 ${'00'.repeat(28)}`);
    expect(toHex(bytes)).toBe(toHex(expected));
  });

  it('writes results as not valid, with no records, while the camera is not live, the model not ready, or it is learning', () => {
    const dets = [det({ classId: 1, score: 0.9, box: [0, 0, 10, 10] })];
    const cases: [Partial<EncodeInput>, Partial<FrameResult>, string][] = [
      // camera reconnecting: modelOk (2) only
      [{ cameraOk: false }, {}, '0002'],
      // model not ready: cameraOk (1) only
      [{ modelOk: false }, {}, '0001'],
      // classic detector still learning: cameraOk + modelOk, not valid
      [{}, { learning: true }, '0003'],
    ];
    for (const [over, resultOver, status] of cases) {
      const { bytes, header } = encodeDataArea(input({ ...frame(dets), ...resultOver }, over), {
        maxObjects: 1,
      });
      expect(header.count).toBe(0);
      const expected = hex(`7FFF ${status} 00000102 00000000 006FBF40 0000 0025 ${'00'.repeat(28)}`);
      expect(toHex(bytes)).toBe(toHex(expected));
    }
    // All three fine: valid (4) with the record.
    expect(encodeDataArea(input(frame(dets)), { maxObjects: 1 }).header.count).toBe(1);
  });

  it('sorts by other keys: x ascending, area descending, classId ascending', () => {
    const dets = [
      det({ classId: 2, score: 0.9, box: [50, 0, 60, 10] }),
      det({ classId: 1, score: 0.8, box: [0, 0, 30, 30] }),
      det({ classId: 3, score: 0.7, box: [20, 0, 22, 2] }),
    ];
    const classOrder = (key: 'x' | 'area' | 'classId' | 'none'): number[] => {
      const b = encodeDataArea(input(frame(dets)), { maxObjects: 3, sortKey: key }).bytes;
      return [0, 1, 2].map((i) => (b[20 + 28 * i] << 8) | b[21 + 28 * i]);
    };
    expect(classOrder('x')).toEqual([1, 3, 2]);
    expect(classOrder('area')).toEqual([1, 2, 3]);
    expect(classOrder('classId')).toEqual([1, 2, 3]);
    expect(classOrder('none')).toEqual([2, 1, 3]);
  });

  it('writes millimetres when a homography is given', () => {
    // Scale 0.5 mm/px and shift (+10, -4) mm: centre (100,30)px -> (60,11)mm, 20x10 px -> 10x5 mm.
    const h = [0.5, 0, 10, 0, 0.5, -4, 0, 0, 1] as const;
    const { records } = encodeDataArea(input(frame([det({ score: 1, box: [90, 25, 110, 35] })])), {
      maxObjects: 1,
      homographyPxToMm: h,
    });
    expect(records[0]).toMatchObject({ x: 60, y: 11, width: 10, height: 5, angleDeg: 0 });
  });
});

describe('helpers', () => {
  it('time of day wraps at local midnight for either sign of offset', () => {
    expect(timeOfDayMs(CAPTURE_MS, 60)).toBe(7_323_456);
    expect(timeOfDayMs(CAPTURE_MS, -120)).toBe(86_400_000 - 3_600_000 + 123_456);
    expect(timeOfDayMs(Date.UTC(2024, 0, 1), 0)).toBe(0);
  });
  it('frame ids wrap modulo 2^31 and never turn negative', () => {
    expect(frameIdToDint(2 ** 31 - 1)).toBe(2147483647);
    expect(frameIdToDint(2 ** 31)).toBe(0);
  });
  it('control area: PLC side and single fields', () => {
    expect(
      toHex(encodeControlArea({ triggerCounter: -1, ackFrameId: 258, recipeRequest: 3, recipeActive: -2 })),
    ).toBe('ffffffff000001020003fffe');
    expect(encodeControlField('recipeActive', 5)).toEqual({ offset: 10, bytes: hex('0005') });
    expect(encodeControlField('ackFrameId', 258)).toEqual({ offset: 4, bytes: hex('00000102') });
  });
});

import { describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { blockSizeBytes, controlAreaOffsetBytes } from '../../src/shared/plc-layout';
import { decodeBlock, decodeControlArea, decodeHeader } from '../../src/main/core/plc/decode';
import { encodeControlArea, encodeDataArea } from '../../src/main/core/plc/encode';

const result: FrameResult = {
  frameId: 9,
  captureTimeMs: Date.UTC(2024, 5, 1, 12),
  resultTimeMs: 0,
  widthPx: 100,
  heightPx: 100,
  detections: [
    { classId: 2, className: 'a', score: 0.3, box: [1.5, 2.5, 11.5, 22.5] },
    { classId: 5, className: 'b', score: 0.6, box: [-30, 40, -10, 50], trackId: 4 },
  ],
  modelName: 'm',
  provider: 'cpu',
  timings: { preMs: 0, inferMs: 0, postMs: 0 },
};

describe('decodeBlock', () => {
  it('decodes every field the encoder wrote, with the control area', () => {
    const enc = encodeDataArea(
      {
        result,
        lifeCounter: 12,
        requestId: 77,
        cameraOk: true,
        modelOk: true,
        stale: false,
        writeTimeMs: result.captureTimeMs + 15,
        utcOffsetMin: 0,
      },
      { maxObjects: 4 },
    );
    const block = new Uint8Array(blockSizeBytes(4));
    block.set(enc.bytes, 0);
    block.set(
      encodeControlArea({ triggerCounter: 5, ackFrameId: 8, recipeRequest: 2, recipeActive: 1 }),
      controlAreaOffsetBytes(4),
    );
    const d = decodeBlock(block, 4);
    expect(d.header).toEqual({
      lifeCounter: 12,
      status: 0b111,
      frameId: 9,
      requestId: 77,
      captureTimeOfDayMs: 43_200_000,
      count: 2,
      latencyMs: 15,
    });
    expect(d.status).toEqual({
      cameraOk: true,
      modelOk: true,
      resultsValid: true,
      overflow: false,
      stale: false,
    });
    expect(d.records).toEqual([
      { classId: 5, trackId: 4, score: Math.fround(0.6), x: -20, y: 45, width: 20, height: 10, angleDeg: 0 },
      {
        classId: 2,
        trackId: -1,
        score: Math.fround(0.3),
        x: 6.5,
        y: 12.5,
        width: 10,
        height: 20,
        angleDeg: 0,
      },
    ]);
    expect(d.tailZeroed).toBe(true);
    expect(d.control).toEqual({ triggerCounter: 5, ackFrameId: 8, recipeRequest: 2, recipeActive: 1 });
    expect(decodeHeader(enc.bytes).frameId).toBe(9);
  });

  it('reports a dirty tail and refuses short buffers', () => {
    const bytes = new Uint8Array(20 + 28);
    bytes[30] = 1;
    expect(decodeBlock(bytes, 1).tailZeroed).toBe(false);
    expect(decodeBlock(bytes, 1).control).toBeNull();
    expect(() => decodeBlock(new Uint8Array(47), 1)).toThrow(/needs 48 bytes/);
    expect(() => decodeControlArea(new Uint8Array(11))).toThrow(/12 bytes/);
  });

  it('decodes a control area at any byte offset of a larger buffer', () => {
    const big = new Uint8Array(40);
    big.set(
      encodeControlArea({ triggerCounter: -7, ackFrameId: 2 ** 31 - 1, recipeRequest: 0, recipeActive: 3 }),
      17,
    );
    expect(decodeControlArea(big.subarray(17))).toEqual({
      triggerCounter: -7,
      ackFrameId: 2147483647,
      recipeRequest: 0,
      recipeActive: 3,
    });
  });
});

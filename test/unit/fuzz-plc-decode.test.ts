import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBlock, decodeControlArea } from '../../src/main/core/plc/decode';
import { CONTROL_SIZE_BYTES, MAX_MAX_OBJECTS } from '../../src/shared/plc-layout';

export const CONTROL_RUNS = 2000;
export const BLOCK_RUNS = 500;

const inInt16 = (v: number): boolean => Number.isInteger(v) && v >= -32768 && v <= 32767;
const inInt32 = (v: number): boolean => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;

describe('fuzz: bytes read back from the PLC', () => {
  it(`the control area decodes any 12+ bytes to in-range integers, shorter ones give one RangeError (${CONTROL_RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 8 }), (bytes, offset) => {
        const view = bytes.subarray(Math.min(offset, bytes.length));
        if (view.length < CONTROL_SIZE_BYTES) {
          expect(() => decodeControlArea(view)).toThrow(RangeError);
          return;
        }
        const c = decodeControlArea(view);
        expect(inInt32(c.triggerCounter)).toBe(true);
        expect(inInt32(c.ackFrameId)).toBe(true);
        expect(inInt16(c.recipeRequest)).toBe(true);
        expect(inInt16(c.recipeActive)).toBe(true);
      }),
      { numRuns: CONTROL_RUNS },
    );
  });

  it(`a whole block decodes with count clamped to 0..maxObjects, or one RangeError (${BLOCK_RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1, max: 20 }),
          fc.constantFrom(-1, 0, MAX_MAX_OBJECTS, MAX_MAX_OBJECTS + 1, 2.5),
        ),
        fc.uint8Array({ maxLength: 620 }),
        (maxObjects, bytes) => {
          let d: ReturnType<typeof decodeBlock>;
          try {
            d = decodeBlock(bytes, maxObjects);
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            expect((e as Error).message.length).toBeGreaterThan(0);
            return;
          }
          expect(d.records.length).toBeGreaterThanOrEqual(0);
          expect(d.records.length).toBeLessThanOrEqual(maxObjects);
          expect(d.records.length).toBe(Math.min(Math.max(d.header.count, 0), maxObjects));
        },
      ),
      { numRuns: BLOCK_RUNS },
    );
  });
});

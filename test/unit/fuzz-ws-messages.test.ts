import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../src/shared/api';
import { API_ARGS, firstIssue, WsRequestSchema } from '../../src/shared/api-schemas';
import { parseWire, stringifyWire } from '../../src/shared/wire';

export const WS_TEXT_RUNS = 1500;
export const WS_REQUEST_RUNS = 1500;

/** What the server does with one text message, up to dispatch: a request with valid args, or one reason. */
function judge(text: string): { ok: true; method: string } | { ok: false; why: string } {
  let parsed: unknown;
  try {
    parsed = parseWire(text);
  } catch (e) {
    return { ok: false, why: `not JSON (${(e as Error).message})` };
  }
  const req = WsRequestSchema.safeParse(parsed);
  if (!req.success) return { ok: false, why: `not a request: ${firstIssue(req.error)}` };
  const args = API_ARGS[req.data.method].safeParse(req.data.args);
  if (!args.success)
    return { ok: false, why: `invalid ${req.data.method} request: ${firstIssue(args.error)}` };
  return { ok: true, method: req.data.method };
}

const value = fc.oneof(
  fc.jsonValue(),
  fc.record({ $bytes: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string(), fc.integer()) }),
  fc.record(
    {
      uri: fc.oneof(
        fc.string(),
        fc.constant(null),
        fc.constant('synthetic:'),
        fc.constant('s7://1.2.3.4?db=1'),
      ),
      id: fc.oneof(fc.string(), fc.integer()),
      confThreshold: fc.oneof(fc.double(), fc.integer()),
      iouThreshold: fc.double(),
      classFilter: fc.oneof(fc.constant(null), fc.array(fc.integer())),
      handshake: fc.constantFrom('free-run', 'ack', 'trigger', 'x'),
      maxObjects: fc.integer(),
      locale: fc.constantFrom('en', 'ko', 'de'),
      imageBytes: fc.record({ $bytes: fc.base64String({ maxLength: 40 }) }),
      conf: fc.double(),
    },
    { requiredKeys: [] },
  ),
);

describe('fuzz: WebSocket messages', () => {
  it(`any text gives a valid request or one reason (${WS_TEXT_RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.string({ unit: 'binary', maxLength: 100 })),
        (text) => {
          const r = judge(text);
          if (!r.ok) expect(r.why.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: WS_TEXT_RUNS },
    );
  });

  it(`request-shaped messages for every method: accepted args re-validate, others give one reason (${WS_REQUEST_RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5, max: 2 ** 53 + 5 }), fc.double(), fc.string()),
        fc.constantFrom(...API_METHODS, 'rm -rf', '__proto__', 'constructor'),
        fc.array(value, { maxLength: 5 }),
        (id, method, args) => {
          const text = stringifyWire({ id, method, args });
          const r = judge(text);
          if (r.ok) {
            expect(API_METHODS).toContain(r.method);
            // What passed validation passes again after a round trip (no lossy coercion).
            expect(judge(stringifyWire(parseWire(text))).ok).toBe(true);
          } else expect(r.why).toMatch(/^(not JSON|not a request|invalid \w+ request)/);
        },
      ),
      { numRuns: WS_REQUEST_RUNS },
    );
  });
});

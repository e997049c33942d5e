/**
 * The PLC handshake state machine (core/handshake.ts), transition by transition: each case is a
 * script of inputs with the exact decision, events and drop count expected after each step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PlcHandshake,
  type HandshakeConfig,
  type HandshakeControl,
  type HandshakeEvent,
  type HandshakeWrite,
} from '../../src/main/core/handshake';
import type { HandshakeMode } from '../../src/shared/schema';

interface R {
  frameId: number;
  captureTimeMs: number;
}

const TIMING = { ackTimeoutMs: 100, triggerTimeoutMs: 200, stalenessLimitMs: 1000 };

/** Events as expected in the tables: the message is checked in its own tests. */
type Ev =
  | { kind: 'ackTimeout'; timeMs: number; frameId: number }
  | { kind: 'triggerTimeout'; timeMs: number; triggerCounter: number }
  | { kind: 'triggerAnswered'; timeMs: number; triggerCounter: number; frameId: number }
  | { kind: 'staleResult'; timeMs: number; frameId: number; ageMs: number };

type Step = (
  | { offer: number; at: number }
  | { read: Partial<HandshakeControl>; at: number }
  | { next: number; write: { frame: number; req?: number; stale?: boolean } }
  | { next: number; wait: number | null }
  | { written: number }
  | { failed: number }
  | { linkUp: number }
) & { events?: Ev[]; dropped?: number };

function withoutMessage(e: HandshakeEvent): Ev {
  if ('message' in e) {
    const { message: _message, ...rest } = e;
    return rest as Ev;
  }
  return e;
}

function play(mode: HandshakeMode, steps: Step[]): void {
  const events: HandshakeEvent[] = [];
  const m = new PlcHandshake<R>({ mode, ...TIMING }, (e) => events.push(e));
  let control: HandshakeControl = { ackFrameId: 0, triggerCounter: 0 };
  let last: HandshakeWrite<R> | null = null;
  steps.forEach((step, i) => {
    events.length = 0;
    const where = `step ${i} ${JSON.stringify(step)}`;
    if ('offer' in step) m.offer({ frameId: step.offer, captureTimeMs: step.at });
    else if ('read' in step) {
      control = { ...control, ...step.read };
      m.control(control, step.at);
    } else if ('next' in step) {
      const d = m.next(step.next);
      if ('write' in step) {
        expect(d.kind, where).toBe('write');
        if (d.kind !== 'write') return;
        last = d.write;
        expect(
          { frame: d.write.result.frameId, req: d.write.requestId, stale: d.write.stale },
          where,
        ).toEqual({ frame: step.write.frame, req: step.write.req ?? 0, stale: step.write.stale ?? false });
      } else expect(d, where).toEqual({ kind: 'wait', untilMs: step.wait });
    } else if ('written' in step) m.written(last!, step.written);
    else if ('failed' in step) m.failed(last!);
    else m.linkUp();
    expect(events.map(withoutMessage), where).toEqual(step.events ?? []);
    if (step.dropped !== undefined) expect(m.dropped, where).toBe(step.dropped);
  });
}

const cases: { mode: HandshakeMode; name: string; steps: Step[] }[] = [
  // ----------------------------------------------------------------------------------- free-run
  {
    mode: 'free-run',
    name: 'writes each result as soon as the link is free; nothing to write means wait for an offer',
    steps: [
      { next: 0, wait: null },
      { offer: 1, at: 0 },
      { next: 1, write: { frame: 1 } },
      { written: 2 },
      { next: 3, wait: null, dropped: 0 },
    ],
  },
  {
    mode: 'free-run',
    name: 'the newest replaces the waiting result (dropped), never the one in flight',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { offer: 2, at: 1 },
      { offer: 3, at: 2, dropped: 1 },
      { next: 3, wait: null },
      { written: 4 },
      { next: 5, write: { frame: 3 } },
      { written: 6, dropped: 1 },
    ],
  },
  {
    mode: 'free-run',
    name: 'a failed write is retried after a reconnect, unless a newer result arrived meanwhile',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { failed: 1 },
      { linkUp: 2 },
      { next: 2, write: { frame: 1 } },
      { offer: 2, at: 3 },
      { failed: 4, dropped: 1 },
      { linkUp: 5 },
      { next: 5, write: { frame: 2 } },
    ],
  },
  {
    mode: 'free-run',
    name: 'a result older than the staleness limit is handed out stale (never valid); at the limit it is not',
    steps: [
      { offer: 1, at: 0 },
      {
        next: 1001,
        write: { frame: 1, stale: true },
        events: [{ kind: 'staleResult', timeMs: 1001, frameId: 1, ageMs: 1001 }],
      },
      { written: 1002 },
      { offer: 2, at: 1000 },
      { next: 2000, write: { frame: 2, stale: false } },
    ],
  },
  {
    mode: 'free-run',
    name: 'control reads change nothing',
    steps: [
      { read: { ackFrameId: 5, triggerCounter: 9 }, at: 0 },
      { read: { triggerCounter: 10 }, at: 1 },
      { next: 2, wait: null },
      { offer: 1, at: 3 },
      { next: 3, write: { frame: 1, req: 0 } },
    ],
  },
  // ---------------------------------------------------------------------------------------- ack
  {
    mode: 'ack',
    name: 'waits for ackFrameId, then writes the newest',
    steps: [
      { read: { ackFrameId: 0 }, at: 0 },
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { written: 10 },
      { offer: 2, at: 11 },
      { offer: 3, at: 12, dropped: 1 },
      { next: 20, wait: 110 },
      { read: { ackFrameId: 0 }, at: 30 },
      { next: 30, wait: 110 },
      { read: { ackFrameId: 1 }, at: 40 },
      { next: 40, write: { frame: 3 } },
      { written: 45, dropped: 1 },
    ],
  },
  {
    mode: 'ack',
    name: 'ack timeout: one alarm, then writing resumes with the newest; the next frame is awaited afresh',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { written: 0 },
      { next: 99, wait: 100 },
      { next: 100, wait: null, events: [{ kind: 'ackTimeout', timeMs: 100, frameId: 1 }] },
      { next: 150, wait: null },
      { offer: 2, at: 160 },
      { next: 160, write: { frame: 2 } },
      { written: 170 },
      { next: 200, wait: 270 },
      // A late ack of frame 1 does not release frame 2's wait.
      { read: { ackFrameId: 1 }, at: 200 },
      { offer: 3, at: 201 },
      { next: 201, wait: 270 },
      { read: { ackFrameId: 2 }, at: 210 },
      { next: 210, write: { frame: 3 } },
    ],
  },
  {
    mode: 'ack',
    name: 'ack timeout with a result waiting: the alarm and the write come in the same step',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { written: 0 },
      { offer: 2, at: 50 },
      { next: 100, write: { frame: 2 }, events: [{ kind: 'ackTimeout', timeMs: 100, frameId: 1 }] },
    ],
  },
  {
    mode: 'ack',
    name: 'an ack read before the timeout releases at once, and no alarm follows',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { written: 0 },
      { read: { ackFrameId: 1 }, at: 50 },
      { next: 500, wait: null },
    ],
  },
  {
    mode: 'ack',
    name: 'a reconnect forgets the ack owed on the old connection',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { written: 0 },
      { offer: 2, at: 5 },
      { next: 10, wait: 100 },
      { linkUp: 20 },
      { next: 20, write: { frame: 2 } },
    ],
  },
  {
    mode: 'ack',
    name: 'a failed write owes no ack: the same result is retried without waiting',
    steps: [
      { offer: 1, at: 0 },
      { next: 0, write: { frame: 1 } },
      { failed: 1 },
      { linkUp: 2 },
      { next: 2, write: { frame: 1 } },
    ],
  },
  {
    mode: 'ack',
    name: 'the ack is compared with the frameId as the PLC holds it (DINT, wrapped)',
    steps: [
      { offer: 2 ** 31 + 5, at: 0 },
      { next: 0, write: { frame: 2 ** 31 + 5 } },
      { written: 0 },
      { offer: 2 ** 31 + 6, at: 1 },
      { read: { ackFrameId: 2 ** 31 + 5 }, at: 2 },
      { next: 2, wait: 100 },
      { read: { ackFrameId: 5 }, at: 3 },
      { next: 3, write: { frame: 2 ** 31 + 6 } },
    ],
  },
  // ------------------------------------------------------------------------------------ trigger
  {
    mode: 'trigger',
    name: 'the counter at first contact is history: nothing is written, results are dropped',
    steps: [
      { offer: 1, at: 0, dropped: 1 },
      { read: { triggerCounter: 7 }, at: 10 },
      { next: 10, wait: null },
      { offer: 2, at: 20, dropped: 2 },
      { read: { triggerCounter: 7 }, at: 30 },
      { next: 30, wait: null },
    ],
  },
  {
    mode: 'trigger',
    name: 'a change is answered once, by the first frame captured after it, requestId = the counter',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      // Captured before the request was seen (offered after it), and at the same millisecond.
      { offer: 1, at: 95, dropped: 1 },
      { offer: 2, at: 100, dropped: 2 },
      { offer: 3, at: 101, dropped: 2 },
      // The first wins: a later, newer frame does not replace it.
      { offer: 4, at: 102, dropped: 3 },
      { next: 110, write: { frame: 3, req: 1 } },
      { written: 115, events: [{ kind: 'triggerAnswered', timeMs: 115, triggerCounter: 1, frameId: 3 }] },
      { next: 120, wait: null },
      { read: { triggerCounter: 1 }, at: 130 },
      { offer: 5, at: 131, dropped: 4 },
      { next: 131, wait: null },
    ],
  },
  {
    mode: 'trigger',
    name: 'no frame within triggerTimeoutMs: one alarm, and the request stays open',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      { next: 100, wait: 300 },
      { next: 299, wait: 300 },
      { next: 300, wait: null, events: [{ kind: 'triggerTimeout', timeMs: 300, triggerCounter: 1 }] },
      { next: 400, wait: null },
      { offer: 1, at: 450 },
      { next: 450, write: { frame: 1, req: 1 } },
      { written: 460, events: [{ kind: 'triggerAnswered', timeMs: 460, triggerCounter: 1, frameId: 1 }] },
    ],
  },
  {
    mode: 'trigger',
    name: 'several changes between two reads are one request: the newest value is answered',
    steps: [
      { read: { triggerCounter: 5 }, at: 0 },
      { read: { triggerCounter: 8 }, at: 100 },
      { offer: 1, at: 101 },
      { next: 101, write: { frame: 1, req: 8 } },
    ],
  },
  {
    mode: 'trigger',
    name: 'a new request before the answer is written replaces the old one (its answer dropped)',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      { offer: 1, at: 101, dropped: 0 },
      { read: { triggerCounter: 2 }, at: 110, dropped: 1 },
      { next: 110, wait: 310 },
      { offer: 2, at: 111 },
      { next: 111, write: { frame: 2, req: 2 } },
      { written: 112, events: [{ kind: 'triggerAnswered', timeMs: 112, triggerCounter: 2, frameId: 2 }] },
    ],
  },
  {
    mode: 'trigger',
    name: 'a request seen while an answer is in flight waits for its own frame',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      { offer: 1, at: 101 },
      { next: 101, write: { frame: 1, req: 1 } },
      { read: { triggerCounter: 2 }, at: 105 },
      { offer: 2, at: 104, dropped: 1 },
      { offer: 3, at: 106 },
      { written: 110, events: [{ kind: 'triggerAnswered', timeMs: 110, triggerCounter: 1, frameId: 1 }] },
      { next: 110, write: { frame: 3, req: 2 } },
      {
        written: 111,
        events: [{ kind: 'triggerAnswered', timeMs: 111, triggerCounter: 2, frameId: 3 }],
        dropped: 1,
      },
    ],
  },
  {
    mode: 'trigger',
    name: 'the answer in flight fails after a newer request came: it is dropped, not retried',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      { offer: 1, at: 101 },
      { next: 101, write: { frame: 1, req: 1 } },
      { read: { triggerCounter: 2 }, at: 105, dropped: 0 },
      { failed: 106, dropped: 1 },
      { linkUp: 107 },
      { next: 107, wait: 305 },
    ],
  },
  {
    mode: 'trigger',
    name: 'the counter wraps: 2147483647 to -2147483648 is one more request',
    steps: [
      { read: { triggerCounter: 2147483646 }, at: 0 },
      { read: { triggerCounter: 2147483647 }, at: 10 },
      { offer: 1, at: 11 },
      { next: 11, write: { frame: 1, req: 2147483647 } },
      {
        written: 12,
        events: [{ kind: 'triggerAnswered', timeMs: 12, triggerCounter: 2147483647, frameId: 1 }],
      },
      { read: { triggerCounter: -2147483648 }, at: 20 },
      { offer: 2, at: 21 },
      { next: 21, write: { frame: 2, req: -2147483648 } },
      {
        written: 22,
        events: [{ kind: 'triggerAnswered', timeMs: 22, triggerCounter: -2147483648, frameId: 2 }],
      },
    ],
  },
  {
    mode: 'trigger',
    name: 'a failed answer is retried after the reconnect, and goes out stale when it has grown old',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 100 },
      { offer: 1, at: 101 },
      { next: 101, write: { frame: 1, req: 1 } },
      { failed: 102, dropped: 0 },
      { offer: 2, at: 103, dropped: 1 },
      { linkUp: 2000 },
      {
        next: 2000,
        write: { frame: 1, req: 1, stale: true },
        events: [{ kind: 'staleResult', timeMs: 2000, frameId: 1, ageMs: 1899 }],
      },
      { written: 2001, events: [{ kind: 'triggerAnswered', timeMs: 2001, triggerCounter: 1, frameId: 1 }] },
    ],
  },
  {
    mode: 'trigger',
    name: 'a reconnect keeps the last counter seen: a change made during the outage is a request',
    steps: [
      { read: { triggerCounter: 3 }, at: 0 },
      { linkUp: 50 },
      { read: { triggerCounter: 4 }, at: 60 },
      { offer: 1, at: 61 },
      { next: 61, write: { frame: 1, req: 4 } },
    ],
  },
  {
    mode: 'trigger',
    name: 'ackFrameId plays no part',
    steps: [
      { read: { triggerCounter: 0 }, at: 0 },
      { read: { triggerCounter: 1 }, at: 10 },
      { offer: 1, at: 11 },
      { next: 11, write: { frame: 1, req: 1 } },
      { written: 12, events: [{ kind: 'triggerAnswered', timeMs: 12, triggerCounter: 1, frameId: 1 }] },
      { read: { triggerCounter: 2 }, at: 20 },
      { offer: 2, at: 21 },
      { next: 21, write: { frame: 2, req: 2 } },
    ],
  },
];

describe('PlcHandshake transitions', () => {
  it.each(cases.map((c) => [`${c.mode}: ${c.name}`, c] as const))('%s', (_name, c) => play(c.mode, c.steps));
});

describe('PlcHandshake alarms and configuration', () => {
  it('alarm messages name the frame or trigger, the limit and what the PLC holds', () => {
    const events: HandshakeEvent[] = [];
    const ack = new PlcHandshake<R>({ mode: 'ack', ...TIMING }, (e) => events.push(e));
    ack.control({ ackFrameId: 41, triggerCounter: 0 }, 0);
    ack.offer({ frameId: 42, captureTimeMs: 0 });
    const d = ack.next(0);
    if (d.kind !== 'write') throw new Error('expected a write');
    ack.written(d.write, 0);
    ack.next(100);
    const trig = new PlcHandshake<R>({ mode: 'trigger', ...TIMING }, (e) => events.push(e));
    trig.control({ ackFrameId: 0, triggerCounter: 6 }, 0);
    trig.control({ ackFrameId: 0, triggerCounter: 7 }, 0);
    trig.next(200);
    expect(events).toEqual([
      {
        kind: 'ackTimeout',
        timeMs: 100,
        frameId: 42,
        message: 'PLC did not acknowledge frame 42 within 100 ms (ackFrameId is 41)',
      },
      {
        kind: 'triggerTimeout',
        timeMs: 200,
        triggerCounter: 7,
        message: 'no frame captured after trigger 7 within 200 ms',
      },
    ]);
  });

  it('rejects timeouts that are not positive numbers', () => {
    const base: HandshakeConfig = { mode: 'ack', ...TIMING };
    expect(() => new PlcHandshake({ ...base, ackTimeoutMs: 0 })).toThrow(
      /ackTimeoutMs must be > 0 \(got 0\)/,
    );
    expect(() => new PlcHandshake({ ...base, triggerTimeoutMs: NaN })).toThrow(/triggerTimeoutMs/);
    expect(() => new PlcHandshake({ ...base, stalenessLimitMs: -1 })).toThrow(/stalenessLimitMs/);
  });

  it('hasPending: what a closing flush waits for', () => {
    const free = new PlcHandshake<R>({ mode: 'free-run', ...TIMING });
    expect(free.hasPending).toBe(false);
    free.offer({ frameId: 1, captureTimeMs: 0 });
    expect(free.hasPending).toBe(true);
    const trig = new PlcHandshake<R>({ mode: 'trigger', ...TIMING });
    trig.offer({ frameId: 1, captureTimeMs: 0 });
    expect(trig.hasPending).toBe(false);
    trig.control({ ackFrameId: 0, triggerCounter: 0 }, 0);
    trig.control({ ackFrameId: 0, triggerCounter: 1 }, 0);
    trig.offer({ frameId: 2, captureTimeMs: 1 });
    expect(trig.hasPending).toBe(true);
    trig.next(1);
    expect(trig.hasPending).toBe(false);
  });
});

// ------------------------------------------------------------------------------------ properties

type Cmd =
  | { t: 'tick'; dtMs: number }
  | { t: 'offer'; lagMs: number }
  | { t: 'read'; triggerStep: number; ackLast: boolean }
  | { t: 'step'; ok: boolean };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constant('tick' as const), dtMs: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ t: fc.constant('offer' as const), lagMs: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({
    t: fc.constant('read' as const),
    triggerStep: fc.constantFrom(0, 0, 1, 2),
    ackLast: fc.boolean(),
  }),
  fc.record({ t: fc.constant('step' as const), ok: fc.boolean() }),
);

interface Written {
  write: HandshakeWrite<R>;
  decidedAtMs: number;
  writtenAtMs: number;
}

/** Drives the machine the way the sink's loop does, and records what a PLC would see. */
function simulate(mode: HandshakeMode, cmds: Cmd[], counterStart: number) {
  const events: HandshakeEvent[] = [];
  const m = new PlcHandshake<R>({ mode, ...TIMING }, (e) => events.push(e));
  let now = 0;
  let frameId = 0;
  let lastCapture = 0;
  let counter = counterStart;
  let acked = 0;
  const offered: R[] = [];
  const written: Written[] = [];
  const handed: { write: HandshakeWrite<R>; atMs: number }[] = [];
  /** Each change of the counter the machine saw: its value and when it was seen. */
  const requests: { counter: number; seenAtMs: number; offeredBefore: number }[] = [];
  /** Acks read, with the time, for the ack-mode rule. */
  const acks: { frameId: number; atMs: number }[] = [];
  const links: number[] = [];
  let first = true;
  for (const c of cmds) {
    if (c.t === 'tick') now += c.dtMs;
    else if (c.t === 'offer') {
      lastCapture = Math.max(lastCapture, now - c.lagMs);
      const r = { frameId: ++frameId, captureTimeMs: lastCapture };
      offered.push(r);
      m.offer(r);
    } else if (c.t === 'read') {
      const before = counter;
      counter =
        counter + c.triggerStep > 2147483647 ? counter + c.triggerStep - 2 ** 32 : counter + c.triggerStep;
      if (c.ackLast && written.length) acked = written.at(-1)!.write.result.frameId;
      m.control({ ackFrameId: acked, triggerCounter: counter }, now);
      if (!first && counter !== before)
        requests.push({ counter, seenAtMs: now, offeredBefore: offered.length });
      acks.push({ frameId: acked, atMs: now });
      first = false;
    } else {
      const d = m.next(now);
      if (d.kind !== 'write') continue;
      handed.push({ write: d.write, atMs: now });
      if (c.ok) {
        m.written(d.write, now);
        written.push({ write: d.write, decidedAtMs: now, writtenAtMs: now });
      } else {
        m.failed(d.write);
        m.linkUp();
        links.push(now);
      }
    }
  }
  return { m, events, offered, written, handed, requests, acks, links };
}

const modes: HandshakeMode[] = ['free-run', 'ack', 'trigger'];

describe('PlcHandshake properties', () => {
  it.each(modes)('%s: the frameIds written strictly increase, and a stale result is never valid', (mode) => {
    fc.assert(
      fc.property(
        fc.array(cmd, { maxLength: 150 }),
        fc.integer({ min: 2147483600, max: 2147483647 }),
        (cmds, c0) => {
          const { written, handed } = simulate(mode, cmds, c0);
          const ids = written.map((w) => w.write.result.frameId);
          for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
          for (const h of handed)
            expect(h.write.stale).toBe(h.atMs - h.write.result.captureTimeMs > TIMING.stalenessLimitMs);
        },
      ),
    );
  });

  it.each(['free-run', 'ack'] as const)(
    '%s: every result is written once, dropped, or still held',
    (mode) => {
      fc.assert(
        fc.property(fc.array(cmd, { maxLength: 150 }), (cmds) => {
          const { m, offered, written } = simulate(mode, cmds, 0);
          const held = m.hasPending ? 1 : 0;
          expect(written.length + m.dropped + held).toBe(offered.length);
        }),
      );
    },
  );

  it('trigger: each answer is the first frame captured after its request, and answers it once', () => {
    fc.assert(
      fc.property(
        fc.array(cmd, { maxLength: 150 }),
        fc.integer({ min: 2147483600, max: 2147483647 }),
        (cmds, c0) => {
          const { written, requests, offered } = simulate('trigger', cmds, c0);
          const answered = new Set<number>();
          for (const w of written) {
            // The newest request seen for that counter value before the write was decided.
            const req = requests
              .filter((r) => r.counter === w.write.requestId && r.seenAtMs <= w.decidedAtMs)
              .at(-1);
            expect(req, `request ${w.write.requestId}`).toBeDefined();
            expect(w.write.result.captureTimeMs).toBeGreaterThan(req!.seenAtMs);
            const firstAfter = offered.slice(req!.offeredBefore).find((r) => r.captureTimeMs > req!.seenAtMs);
            expect(w.write.result).toBe(firstAfter);
            const key = requests.indexOf(req!);
            expect(answered.has(key)).toBe(false);
            answered.add(key);
          }
        },
      ),
    );
  });

  it('ack: a write follows the previous one only after its ack, a timeout, or a reconnect', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 150 }), (cmds) => {
        const { written, acks, links, events } = simulate('ack', cmds, 0);
        for (let i = 1; i < written.length; i++) {
          const prev = written[i - 1]!;
          const cur = written[i]!;
          const ackedInBetween = acks.some(
            (a) =>
              a.frameId === prev.write.result.frameId &&
              a.atMs >= prev.writtenAtMs &&
              a.atMs <= cur.decidedAtMs,
          );
          const timedOut = cur.decidedAtMs - prev.writtenAtMs >= TIMING.ackTimeoutMs;
          const reconnected = links.some((t) => t >= prev.writtenAtMs && t <= cur.decidedAtMs);
          expect(ackedInBetween || timedOut || reconnected).toBe(true);
          if (timedOut && !ackedInBetween && !reconnected)
            expect(
              events.some((e) => e.kind === 'ackTimeout' && e.frameId === prev.write.result.frameId),
            ).toBe(true);
        }
      }),
    );
  });
});

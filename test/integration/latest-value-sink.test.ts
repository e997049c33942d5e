/**
 * The write loop shared by the S7 and serial sinks, driven by a scripted in-memory driver (the
 * real links are tested in plc-s7.test.ts and serial.test.ts). Every wait is on an event or a
 * condition with a deadline that names what did not happen; nothing asserts a duration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NewestOnlySchedule } from '../../src/main/core/write-schedule';
import {
  LatestValueSink,
  type LatestValueSinkOptions,
  type LinkDriver,
  type LinkState,
} from '../../src/main/util/latest-value-sink';

interface Conn {
  id: number;
  closed: boolean;
  lost: (e: Error) => void;
}

type Plan<T> = () => Promise<T> | 'hang';

/** A driver whose next connects and writes follow a script; by default they succeed at once. */
class ScriptedDriver implements LinkDriver<Conn, number, string> {
  connects: Plan<void>[] = [];
  writes: Plan<void>[] = [];
  connectCalls = 0;
  conns: Conn[] = [];
  written: { conn: number; value: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  serviceCalls = 0;
  serviceEveryMs: number | null = null;
  lateConns: Conn[] = [];
  /** Connects that report their link lost before they resolve. */
  lostDuringConnect = 0;
  throwAtOnce = 0;

  connect(timeoutMs: number, lost: (e: Error) => void): Promise<Conn> {
    if (this.throwAtOnce > 0) {
      this.throwAtOnce--;
      this.connectCalls++;
      throw new Error('driver bug');
    }
    return this.connectAsync(timeoutMs, lost);
  }

  private async connectAsync(_timeoutMs: number, lost: (e: Error) => void): Promise<Conn> {
    this.connectCalls++;
    const conn: Conn = { id: this.connectCalls, closed: false, lost };
    const plan = this.connects.shift();
    if (plan) {
      const p = plan();
      if (p === 'hang') {
        // Resolves only much later: the loop must close it when it finally arrives.
        return new Promise((resolve) => setTimeout(() => (this.lateConns.push(conn), resolve(conn)), 100));
      }
      await p;
    }
    if (this.lostDuringConnect > 0) {
      this.lostDuringConnect--;
      lost(new Error('gone while connecting'));
      this.lateConns.push(conn);
      return conn;
    }
    this.conns.push(conn);
    return conn;
  }

  async write(conn: Conn, value: number): Promise<string> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const plan = this.writes.shift();
      if (plan) {
        const p = plan();
        if (p === 'hang') await new Promise(() => {});
        else await p;
      }
      this.written.push({ conn: conn.id, value });
      return `wrote ${value}`;
    } finally {
      this.inFlight--;
    }
  }

  close(conn: Conn): void {
    conn.closed = true;
  }

  async service(): Promise<number | null> {
    this.serviceCalls++;
    return this.serviceEveryMs === null ? null : Date.now() + this.serviceEveryMs;
  }
}

const OPTIONS: LatestValueSinkOptions = {
  name: 'test link',
  connectTimeoutMs: 2000,
  writeTimeoutMs: 2000,
  backoff: { initialDelayMs: 1, maxDelayMs: 5 },
};

const sinks: LatestValueSink<number, number, Conn, string>[] = [];
afterEach(async () => {
  while (sinks.length) await sinks.pop()!.stop();
});

function make(driver: ScriptedDriver, options: Partial<LatestValueSinkOptions> = {}) {
  const sink = new LatestValueSink(driver, new NewestOnlySchedule<number>(), { ...OPTIONS, ...options });
  sinks.push(sink);
  const states: LinkState[] = [];
  sink.on('status', (s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { sink, states };
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function within<T>(p: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** A write that completes when the test says so. */
function gate(): { plan: Plan<void>; open: () => void } {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { plan: () => p, open };
}

describe('LatestValueSink', () => {
  it('retries a failing connect with backoff, and reports each state change', async () => {
    const d = new ScriptedDriver();
    d.connects = [() => Promise.reject(new Error('refused 1')), () => Promise.reject(new Error('refused 2'))];
    const { sink, states } = make(d);
    sink.start();
    await sink.whenConnected(5000, (e) => `not connected: ${e}`);
    expect(d.connectCalls).toBe(3);
    expect(states).toEqual([
      'connecting',
      'disconnected',
      'connecting',
      'disconnected',
      'connecting',
      'connected',
    ]);
    expect(sink.status()).toMatchObject({ state: 'connected', lastError: null, dropped: 0 });
  });

  it('whenConnected rejects with the last error once its time is up', async () => {
    const d = new ScriptedDriver();
    d.connects = Array.from({ length: 1000 }, () => () => Promise.reject(new Error('PLC says no')));
    const { sink } = make(d, { backoff: { initialDelayMs: 20, maxDelayMs: 20 } });
    sink.start();
    await until(() => d.connectCalls >= 1 && sink.status().lastError !== null, 'first failed connect');
    await expect(sink.whenConnected(50, (e) => `gave up: ${e}`)).rejects.toThrow('gave up: PLC says no');
  });

  it('one write in flight; offers meanwhile keep only the newest, the rest count as dropped', async () => {
    const d = new ScriptedDriver();
    const g = gate();
    d.writes = [g.plan];
    const { sink } = make(d);
    const written: string[] = [];
    sink.on('written', (_w, info) => written.push(info));
    sink.start();
    await sink.whenConnected(5000, String);
    sink.offer(1);
    await until(() => d.inFlight === 1, 'first write started');
    sink.offer(2);
    sink.offer(3);
    sink.offer(4);
    expect(sink.status().dropped).toBe(2);
    g.open();
    await until(() => written.length === 2, 'second write');
    expect(written).toEqual(['wrote 1', 'wrote 4']);
    expect(d.maxInFlight).toBe(1);
    expect(sink.status().dropped).toBe(2);
  });

  it('a write past its deadline drops the connection; the value goes out on the next one', async () => {
    const d = new ScriptedDriver();
    d.writes = [() => 'hang'];
    const { sink, states } = make(d, { writeTimeoutMs: 30 });
    sink.start();
    await sink.whenConnected(5000, String);
    sink.offer(7);
    await until(() => d.written.length === 1, 'the write on the second connection');
    expect(d.written).toEqual([{ conn: 2, value: 7 }]);
    expect(d.conns[0]!.closed).toBe(true);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('a connect past its deadline fails, and the connection that turns up late is closed', async () => {
    const d = new ScriptedDriver();
    d.connects = [() => 'hang'];
    const { sink } = make(d, { connectTimeoutMs: 20 });
    const errors: (string | null)[] = [];
    sink.on('status', (s) => errors.push(s.lastError));
    sink.start();
    await sink.whenConnected(5000, String);
    expect(errors).toContain('test link: connect: no answer within 20 ms');
    await until(() => d.lateConns.length === 1, 'the late connection');
    await until(() => d.lateConns[0]!.closed, 'the late connection closed');
    expect(d.conns.map((c) => c.closed)).toEqual([false]);
  });

  it('a link the driver reports lost is dropped at once, also under a write in flight', async () => {
    const d = new ScriptedDriver();
    d.writes = [() => 'hang'];
    // A deadline this long would fail the test: only the lost report can end the write.
    const { sink } = make(d, { writeTimeoutMs: 60_000 });
    sink.start();
    await sink.whenConnected(5000, String);
    sink.offer(1);
    await until(() => d.inFlight === 1, 'write started');
    const errors: (string | null)[] = [];
    sink.on('status', (s) => errors.push(s.lastError));
    d.conns[0]!.lost(new Error('cable pulled'));
    await until(() => d.written.length === 1, 'the value written on the new connection');
    expect(errors).toContain('cable pulled');
    expect(d.conns[0]!.closed).toBe(true);
    expect(d.written).toEqual([{ conn: 2, value: 1 }]);
    // Lost while idle, too.
    d.conns[1]!.lost(new Error('cable pulled again'));
    await until(() => d.conns.length === 3 && sink.status().state === 'connected', 'third connection');
    expect(d.conns[1]!.closed).toBe(true);
    // A late report about a connection already dropped changes nothing.
    d.conns[0]!.lost(new Error('stale news'));
    sink.offer(2);
    await until(() => d.written.length === 2, 'write on the third connection');
    expect(d.written[1]).toEqual({ conn: 3, value: 2 });
  });

  it('a connect that throws at once, or reports its link lost before it is up, fails only that attempt', async () => {
    const d = new ScriptedDriver();
    d.throwAtOnce = 1;
    d.lostDuringConnect = 1;
    const { sink, states } = make(d);
    const errors: (string | null)[] = [];
    sink.on('status', (s) => errors.push(s.lastError));
    sink.start();
    await sink.whenConnected(5000, String);
    expect(d.connectCalls).toBe(3);
    expect(errors).toContain('driver bug');
    expect(errors).toContain('gone while connecting');
    expect(d.lateConns.map((c) => c.closed)).toEqual([true]);
    expect(states).toEqual([
      'connecting',
      'disconnected',
      'connecting',
      'disconnected',
      'connecting',
      'connected',
    ]);
  });

  it('runs the side work before each decision and again when it asks to', async () => {
    const d = new ScriptedDriver();
    d.serviceEveryMs = 5;
    const { sink } = make(d);
    sink.start();
    await until(() => d.serviceCalls >= 5, 'five service calls without any offer');
    expect(d.written).toEqual([]);
  });

  it('stop() waits for the loop, closes the connection and connects no more', async () => {
    const d = new ScriptedDriver();
    const { sink, states } = make(d);
    sink.start();
    await sink.whenConnected(5000, String);
    await within(sink.stop(), 'stop()');
    expect(d.conns[0]!.closed).toBe(true);
    expect(states.at(-1)).toBe('disconnected');
    const calls = d.connectCalls;
    sink.offer(1);
    sink.start();
    await new Promise((r) => setImmediate(r));
    expect([d.connectCalls, d.written.length]).toEqual([calls, 0]);
  });

  it('stop() during a backoff pause ends at once', async () => {
    const d = new ScriptedDriver();
    d.connects = [() => Promise.reject(new Error('down'))];
    const { sink } = make(d, { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    sink.start();
    await until(() => sink.status().lastError === 'down', 'failed connect');
    // With a one-minute pause, only the wake-up from stop() lets this finish in time.
    await within(sink.stop(), 'stop() during the backoff pause');
    expect(d.connectCalls).toBe(1);
  });

  it('stop(flush) lets the waiting value out first; stop() without it does not', async () => {
    for (const flushMs of [2000, 0]) {
      const d = new ScriptedDriver();
      const g = gate();
      d.writes = [g.plan];
      const { sink } = make(d);
      sink.start();
      await sink.whenConnected(5000, String);
      sink.offer(1);
      await until(() => d.inFlight === 1, 'write started');
      sink.offer(2);
      const stopped = sink.stop(flushMs);
      g.open();
      await within(stopped, `stop(${flushMs})`);
      expect(d.written.map((w) => w.value)).toEqual(flushMs ? [1, 2] : [1]);
    }
  });
});

/**
 * StationClient over the WebSocket that `serve` offers at `/ws` on the page's own origin.
 *
 * Requests are JSON `{id, method, args}`; the server answers with a response of the same id.
 * Events arrive as JSON (`{type:'event'}`) or, for frames, as binary messages. Every incoming
 * message is checked before anything is handed on; bad ones are logged and dropped. When the
 * socket closes the client reconnects with backoff and reports its state through `onConnection`
 * (the app then asks for a fresh snapshot, which is what makes the server push events again).
 */
import {
  API_METHODS,
  STATION_EVENTS,
  type ApiMethod,
  type StationClient,
  type StationEventName,
  type StationEvents,
  type VisionStationApi,
} from '../../shared/api';
import { decodeFrameMessage, parseWire, stringifyWire } from '../../shared/wire';
import { refusalOf, StationError } from '../../shared/station-error';
import { isFrameMessage, isPlainObject } from './validate';
import type { ConnectionMonitor, ConnectionState } from './connection';

type Listener = (payload: never) => void;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Slow commands get a longer answer deadline (a TensorRT engine build, a camera restart). */
const TIMEOUT_MS: Partial<Record<ApiMethod, number>> = {
  swapModel: 300_000,
  listModels: 120_000,
  setSource: 60_000,
  setPlc: 60_000,
  detectImage: 60_000,
};
const DEFAULT_TIMEOUT_MS = 20_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;

/** Byte counts of everything received, for the preview transport figures. */
export interface TransportCounters {
  bytes: number;
  frameMessages: number;
}

export function wsUrlFor(loc: Location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token');
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export class WsStationClient implements ConnectionMonitor {
  readonly client: StationClient;
  readonly counters: TransportCounters = { bytes: 0, frameMessages: 0 };
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<StationEventName, Set<Listener>>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private state: ConnectionState = { kind: 'connecting', attempt: 0, retryAtMs: null, lastError: null };
  private attempt = 0;
  private openWaiters: (() => void)[] = [];

  constructor(private readonly url: string) {
    const api = Object.fromEntries(
      API_METHODS.map((m) => [m, (...args: unknown[]) => this.request(m, args)]),
    ) as unknown as VisionStationApi;
    this.client = Object.assign(api, {
      subscribe: <E extends StationEventName>(event: E, listener: (payload: StationEvents[E]) => void) =>
        this.subscribe(event, listener),
    });
    this.connect();
  }

  connection(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (s: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.connectionListeners) l(s);
  }

  private connect(): void {
    this.setState({
      kind: 'connecting',
      attempt: this.attempt,
      retryAtMs: null,
      lastError: this.state.lastError,
    });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.scheduleReconnect(String(e));
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState({ kind: 'open', attempt: 0, retryAtMs: null, lastError: null });
      const waiters = this.openWaiters;
      this.openWaiters = [];
      for (const w of waiters) w();
    };
    ws.onmessage = (ev: MessageEvent) => this.onMessage(ev.data);
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      const why = ev.reason || `connection closed (code ${ev.code})`;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(why));
        this.pending.delete(id);
      }
      this.scheduleReconnect(why);
    };
    ws.onerror = () => {
      /* onclose follows and carries the reason */
    };
  }

  private scheduleReconnect(reason: string): void {
    this.attempt += 1;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.setState({
      kind: 'reconnecting',
      attempt: this.attempt,
      retryAtMs: Date.now() + delay,
      lastError: reason,
    });
    setTimeout(() => this.connect(), delay);
  }

  private subscribe<E extends StationEventName>(
    event: E,
    listener: (payload: StationEvents[E]) => void,
  ): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  private emit(event: StationEventName, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as (p: unknown) => void)(payload);
      } catch (e) {
        console.error(`listener for ${event} failed`, e);
      }
    }
  }

  private async request(method: ApiMethod, args: unknown[]): Promise<unknown> {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      await new Promise<void>((resolve) => this.openWaiters.push(resolve));
    }
    const id = this.nextId++;
    const ws = this.socket!;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const s = String((TIMEOUT_MS[method] ?? DEFAULT_TIMEOUT_MS) / 1000);
        reject(
          new StationError('noAnswer', { method, s }, `${method}: no answer from the station within ${s} s`),
        );
      }, TIMEOUT_MS[method] ?? DEFAULT_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(stringifyWire({ id, method, args }));
    });
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      this.counters.bytes += data.byteLength;
      let frame: unknown;
      try {
        frame = decodeFrameMessage(new Uint8Array(data));
      } catch (e) {
        console.warn('dropped a malformed frame message', e);
        return;
      }
      if (!isFrameMessage(frame)) {
        console.warn('dropped a frame message with a bad shape');
        return;
      }
      this.counters.frameMessages += 1;
      this.emit('frame', frame);
      return;
    }
    if (typeof data !== 'string') return;
    this.counters.bytes += data.length;
    let msg: unknown;
    try {
      msg = parseWire(data);
    } catch {
      console.warn('dropped a message that is not JSON');
      return;
    }
    if (!isPlainObject(msg)) return void console.warn('dropped a message that is not an object');
    if (msg['type'] === 'response') {
      const id = msg['id'];
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!p) return void console.warn('dropped a response to no pending request', id);
      this.pending.delete(id as number);
      clearTimeout(p.timer);
      if (msg['ok'] === true) p.resolve(msg['result']);
      else p.reject(refusalOf(msg));
    } else if (msg['type'] === 'event') {
      const ev = msg['event'];
      if (typeof ev !== 'string' || ev === 'frame' || !(STATION_EVENTS as readonly string[]).includes(ev)) {
        return void console.warn('dropped an unknown event', ev);
      }
      if (msg['payload'] === undefined || msg['payload'] === null || typeof msg['payload'] !== 'object') {
        return void console.warn('dropped an event without payload', ev);
      }
      this.emit(ev as StationEventName, msg['payload']);
    } else if (msg['type'] === 'error') {
      console.warn('station error:', msg['error']);
    } else {
      console.warn('dropped a message of unknown type');
    }
  }
}

/**
 * A small interface over node-snap7's S7Client, so the sink's logic does not depend on the
 * native addon. Every call has a timeout: snap7's own socket timeouts, and a JS timer on top in
 * case a native job never calls back.
 */

/** The part of node-snap7's S7Client we use (the package ships no types). */
export interface NativeS7Client {
  SetParam(param: number, value: number): boolean;
  ConnectTo(ip: string, rack: number, slot: number, cb: (err: number | null) => void): void;
  DBRead(db: number, start: number, size: number, cb: (err: number | null, data: Buffer) => void): void;
  DBWrite(db: number, start: number, size: number, buf: Buffer, cb: (err: number | null) => void): void;
  Disconnect(): boolean;
  Connected(): boolean;
  PDULength(): number | false;
  ErrorText(code: number): string;
  RemotePort: number;
  PingTimeout: number;
  SendTimeout: number;
  RecvTimeout: number;
}

export interface Snap7Module {
  S7Client: new () => NativeS7Client;
  S7Server: new () => unknown;
}

let snap7Module: Snap7Module | null = null;

/** Loads node-snap7 lazily, so importing this file never fails where the addon is not built. */
export function loadSnap7(): Snap7Module {
  if (!snap7Module) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      snap7Module = require('node-snap7') as Snap7Module;
    } catch (e) {
      throw new Error(
        `node-snap7 could not be loaded (${(e as Error).message.split('\n')[0]}); it is a native addon built for one runtime at a time: ` +
          `run "npm run rebuild:node" for the command line and tests, "npm run rebuild:electron" for the app`,
        { cause: e },
      );
    }
  }
  return snap7Module;
}

export interface S7Endpoint {
  host: string;
  port: number;
  rack: number;
  slot: number;
}

export class S7Error extends Error {
  override name = 'S7Error';
  constructor(
    message: string,
    /** snap7 error code; 0 for a JS-side timeout. */
    readonly code: number,
  ) {
    super(message);
  }
}

/** What the sink, the bench and the simulator's PLC side need from an S7 connection. */
export interface S7Link {
  connect(endpoint: S7Endpoint, timeoutMs: number): Promise<void>;
  /** Negotiated PDU size in bytes (0 before connect). */
  pduLengthBytes(): number;
  readDb(dbNumber: number, start: number, size: number, timeoutMs: number): Promise<Uint8Array>;
  writeDb(dbNumber: number, start: number, bytes: Uint8Array, timeoutMs: number): Promise<void>;
  /** Drops the connection; safe to call at any time, also while a job runs. */
  close(): void;
}

/**
 * Bytes of a write request that are not payload, from snap7's opWriteArea: request header (10)
 * + function/item count (2) + one item (12) + return code/transport size/length (4). A write
 * with more payload than PDU - 28 is split into several PDUs by snap7.
 */
export const S7_WRITE_OVERHEAD_BYTES = 28;

export function maxWritePayloadBytes(pduLengthBytes: number): number {
  return Math.max(0, pduLengthBytes - S7_WRITE_OVERHEAD_BYTES);
}

/** node-snap7 implementation. One job at a time: snap7 serialises jobs on one client anyway. */
export class Snap7Link implements S7Link {
  private client: NativeS7Client | null = null;
  /** The native job in flight, so close() can wait for it before disconnecting the socket. */
  private inFlight: Promise<unknown> | null = null;

  private job<T>(
    what: string,
    timeoutMs: number,
    start: (client: NativeS7Client, done: (err: number | null, value: T) => void) => void,
  ): Promise<T> {
    const client = this.client;
    if (!client) return Promise.reject(new S7Error(`${what}: not connected`, 0));
    if (this.inFlight) return Promise.reject(new S7Error(`${what}: another S7 job is still running`, 0));
    let settle!: (err: number | null, value: T) => void;
    const native = new Promise<T>((resolve, reject) => {
      settle = (err, value) => {
        if (err) reject(new S7Error(`${what}: ${safeErrorText(client, err)}`, err));
        else resolve(value);
      };
    });
    const tracked = native
      .catch(() => undefined)
      .finally(() => {
        if (this.inFlight === tracked) this.inFlight = null;
      });
    this.inFlight = tracked;
    try {
      start(client, settle);
    } catch (e) {
      settle(-1, undefined as T);
      return Promise.reject(new S7Error(`${what}: ${(e as Error).message}`, -1));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The native job is stuck: abandon this client. Its socket is closed once the job returns.
        this.abandon();
        reject(new S7Error(`${what}: no answer within ${timeoutMs} ms`, 0));
      }, timeoutMs);
    });
    return Promise.race([native, timeout]).finally(() => clearTimeout(timer));
  }

  async connect(endpoint: S7Endpoint, timeoutMs: number): Promise<void> {
    this.close();
    const { S7Client } = loadSnap7();
    const client = new S7Client();
    client.SetParam(client.RemotePort, endpoint.port);
    // snap7's own socket timeouts stay below the JS timer so a normal failure reports snap7's text.
    const socketMs = Math.max(50, Math.floor(timeoutMs * 0.9));
    client.SetParam(client.PingTimeout, socketMs);
    client.SetParam(client.SendTimeout, socketMs);
    client.SetParam(client.RecvTimeout, socketMs);
    this.client = client;
    try {
      await this.job<void>(
        `connect to ${endpoint.host}:${endpoint.port} rack ${endpoint.rack} slot ${endpoint.slot}`,
        timeoutMs,
        (c, done) => c.ConnectTo(endpoint.host, endpoint.rack, endpoint.slot, (err) => done(err, undefined)),
      );
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Sets the socket timeouts used by reads and writes. */
  private setOpTimeout(timeoutMs: number): void {
    const c = this.client;
    if (!c) return;
    const socketMs = Math.max(50, Math.floor(timeoutMs * 0.9));
    c.SetParam(c.SendTimeout, socketMs);
    c.SetParam(c.RecvTimeout, socketMs);
  }

  pduLengthBytes(): number {
    const n = this.client?.PDULength();
    return typeof n === 'number' ? n : 0;
  }

  async readDb(dbNumber: number, start: number, size: number, timeoutMs: number): Promise<Uint8Array> {
    this.setOpTimeout(timeoutMs);
    const buf = await this.job<Buffer>(
      `read DB${dbNumber}.DBB${start} (${size} bytes)`,
      timeoutMs,
      (c, done) => c.DBRead(dbNumber, start, size, done),
    );
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async writeDb(dbNumber: number, start: number, bytes: Uint8Array, timeoutMs: number): Promise<void> {
    this.setOpTimeout(timeoutMs);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await this.job<void>(
      `write DB${dbNumber}.DBB${start} (${bytes.byteLength} bytes)`,
      timeoutMs,
      (c, done) => c.DBWrite(dbNumber, start, bytes.byteLength, buf, (err) => done(err, undefined)),
    );
  }

  private abandon(): void {
    const client = this.client;
    this.client = null;
    if (!client) return;
    // Disconnect is not guarded by node-snap7's job mutex: never close a socket under a running job.
    const pending = this.inFlight;
    this.inFlight = null;
    if (pending) void pending.finally(() => client.Disconnect());
    else client.Disconnect();
  }

  close(): void {
    this.abandon();
  }
}

function safeErrorText(client: NativeS7Client, code: number): string {
  try {
    return client.ErrorText(code) || `snap7 error 0x${code.toString(16)}`;
  } catch {
    return `snap7 error 0x${code.toString(16)}`;
  }
}

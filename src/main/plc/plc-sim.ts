/**
 * PLC simulator: a node-snap7 S7Server on loopback holding the layout-v1 DB. It reports each block
 * the app writes (decoded) and can play the PLC side of the handshakes:
 * - ack: writes ackFrameId = frameId after each frame (after ackDelayMs);
 * - trigger: increments triggerCounter every triggerIntervalMs.
 *
 * Two memory models:
 * - exact (default): snap7 "resourceless" mode. Every read and write of a client is handed to JS
 *   while the server thread waits, so the simulator sees each write's own bytes, in order, and
 *   never merges two frames. The DB bytes live in JS; PLC-side writes change them directly.
 *   Limit: snap7 offers no way to refuse an access in this mode, so reads beyond the DB return
 *   zeros and writes beyond it are dropped (reported as 'problem').
 * - strictBounds: the DB is registered with snap7, which refuses out-of-range access like a CPU
 *   ("Address out of range"): use it to exercise the sink's DB size check. Frames are read from
 *   the DB when snap7 reports the header write, so a client writing faster than the event loop
 *   turns can show only the newest of two frames (reported once, by lifeCounter). PLC-side
 *   writes go through a loopback S7 client as partial writes, so they never overwrite bytes the
 *   app writes at the same moment.
 *
 * node-snap7 keeps its server plumbing in process-wide globals, so one native S7Server is created
 * per process and reused; a second simultaneous simulator is refused.
 */
import { EventEmitter } from 'node:events';
import {
  blockSizeBytes,
  controlAreaOffsetBytes,
  DEFAULT_MAX_OBJECTS,
  type ControlFieldName,
} from '../../shared/plc-layout';
import { decodeBlock, type DecodedBlock } from '../core/plc/decode';
import { encodeControlField, type PlcControl } from '../core/plc/encode';
import type { HandshakeMode } from './plc-config';
import { Snap7Link, loadSnap7 } from './s7-client';

interface RwTag {
  Area: number;
  DBNumber: number;
  Start: number;
  Size: number;
  WordLen: number;
}

type RwHandler = (
  sender: string,
  operation: number,
  tag: RwTag,
  buffer: Buffer,
  callback: (buf?: Buffer) => void,
) => void;

interface NativeServerEvent {
  EvtSender: string;
  EvtCode: number;
  EvtRetCode: number;
  EvtParam1: number;
  EvtParam2: number;
  EvtParam3: number;
  EvtParam4: number;
}

interface NativeS7Server {
  SetParam(param: number, value: number): boolean;
  SetResourceless(on: boolean): boolean;
  RegisterArea(area: number, index: number, buf: Buffer): boolean;
  UnregisterArea(area: number, index: number): boolean;
  GetArea(area: number, index: number): Buffer;
  StartTo(ip: string, cb: (err: number | null) => void): void;
  Stop(cb: (err: number | null) => void): void;
  ErrorText(code: number): string;
  on(event: 'event', fn: (e: NativeServerEvent) => void): void;
  on(event: 'readWrite', fn: RwHandler): void;
  off(event: 'event', fn: (e: NativeServerEvent) => void): void;
  off(event: 'readWrite', fn: RwHandler): void;
  LocalPort: number;
  PDURequest: number;
  srvAreaDB: number;
  operationRead: number;
  evcDataWrite: number;
  evcClientAdded: number;
  evcClientDisconnected: number;
}

/** snap7 reports S7 area codes (DB = 0x84), not the server's srvAreaDB index. */
const S7_AREA_DB = 0x84;
/** Bytes per element for snap7 word lengths (bit, byte, word, dword, real, counter, timer). */
const WORD_LEN_BYTES: Record<number, number> = {
  0x01: 1,
  0x02: 1,
  0x04: 2,
  0x06: 4,
  0x08: 4,
  0x1c: 2,
  0x1d: 2,
};

let nativeServer: NativeS7Server | null = null;
/** Which simulator owns the process-wide server. */
let activeSimId: symbol | null = null;

function server(): NativeS7Server {
  if (!nativeServer) nativeServer = new (loadSnap7().S7Server as new () => NativeS7Server)();
  return nativeServer;
}

export interface PlcSimOptions {
  port: number;
  /** Bind address; loopback by default. */
  host?: string;
  dbNumber: number;
  startOffsetBytes?: number;
  maxObjects?: number;
  /** PLC side to play. free-run: passive. */
  mode?: HandshakeMode;
  triggerIntervalMs?: number;
  ackDelayMs?: number;
  /** DB size; default start offset + block. */
  dbSizeBytes?: number;
  /** PDU size the server offers; 960 like an S7-1500 (the client takes the smaller of both). */
  pduBytes?: number;
  /** Let snap7 own the DB and refuse out-of-range access (see the file comment). */
  strictBounds?: boolean;
}

export interface SimFrame extends DecodedBlock {
  receivedAtMs: number;
  sender: string;
}

export interface PlcSimEvents {
  frame: [SimFrame];
  recipeActive: [number];
  client: [{ event: 'added' | 'disconnected'; address: string }];
  /** Something a person running the simulator should know (failed PLC-side write, bad access). */
  problem: [string];
}

type PlcSideValues = Partial<Pick<PlcControl, 'triggerCounter' | 'ackFrameId' | 'recipeRequest'>>;

export class PlcSim extends EventEmitter<PlcSimEvents> {
  readonly port: number;
  readonly host: string;
  readonly dbNumber: number;
  readonly startOffsetBytes: number;
  readonly maxObjects: number;
  readonly mode: HandshakeMode;
  readonly dbSizeBytes: number;
  readonly strictBounds: boolean;
  private readonly triggerIntervalMs: number;
  private readonly ackDelayMs: number;
  private readonly pduBytes: number;

  private readonly id = Symbol('plc-sim');
  private running = false;
  /** DB bytes in exact mode; kept across stop()/start() like a PLC's retentive DB. */
  private readonly memory: Buffer;
  private registered = false;
  private plcSide: Snap7Link | null = null;
  /** Strict mode: PLC-side writes one after another (one S7 job at a time). */
  private plcChain: Promise<void> = Promise.resolve();
  private triggerTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastReported: { lifeCounter: number; frameId: number } | null = null;
  private readonly onEvent = (e: NativeServerEvent): void => this.handleEvent(e);
  private readonly onReadWrite: RwHandler = (sender, op, tag, buffer, cb) =>
    this.handleReadWrite(sender, op, tag, buffer, cb);

  constructor(opts: PlcSimOptions) {
    super();
    this.port = opts.port;
    this.host = opts.host ?? '127.0.0.1';
    this.dbNumber = opts.dbNumber;
    this.startOffsetBytes = opts.startOffsetBytes ?? 0;
    this.maxObjects = opts.maxObjects ?? DEFAULT_MAX_OBJECTS;
    this.mode = opts.mode ?? 'free-run';
    this.triggerIntervalMs = opts.triggerIntervalMs ?? 500;
    this.ackDelayMs = opts.ackDelayMs ?? 0;
    this.pduBytes = opts.pduBytes ?? 960;
    this.strictBounds = opts.strictBounds ?? false;
    this.dbSizeBytes = opts.dbSizeBytes ?? this.startOffsetBytes + blockSizeBytes(this.maxObjects);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535)
      throw new RangeError(`port must be 1..65535, got ${this.port}`);
    if (!Number.isInteger(this.dbNumber) || this.dbNumber < 1 || this.dbNumber > 65535)
      throw new RangeError(`DB number must be 1..65535, got ${this.dbNumber}`);
    if (this.dbSizeBytes < 1 || this.dbSizeBytes > 65535)
      throw new RangeError(`DB of ${this.dbSizeBytes} bytes: must be 1..65535`);
    this.memory = Buffer.alloc(this.dbSizeBytes);
  }

  /** Starts listening (again, after stop(); the DB keeps its contents). */
  async start(): Promise<void> {
    if (this.running) return;
    if (activeSimId && activeSimId !== this.id)
      throw new Error(
        'a PLC simulator is already running in this process (node-snap7 allows one S7 server per process)',
      );
    const srv = server();
    activeSimId = this.id;
    srv.SetParam(srv.LocalPort, this.port);
    srv.SetParam(srv.PDURequest, this.pduBytes);
    srv.SetResourceless(!this.strictBounds);
    if (this.strictBounds && !this.registered) {
      srv.UnregisterArea(srv.srvAreaDB, this.dbNumber);
      if (!srv.RegisterArea(srv.srvAreaDB, this.dbNumber, this.memory)) {
        activeSimId = null;
        throw new Error(`could not register DB${this.dbNumber} (${this.dbSizeBytes} bytes)`);
      }
      this.registered = true;
    }
    srv.on('event', this.onEvent);
    if (!this.strictBounds) srv.on('readWrite', this.onReadWrite);
    try {
      await new Promise<void>((resolve, reject) => {
        srv.StartTo(this.host, (err) => {
          if (!err) return resolve();
          const hint =
            this.port < 1024
              ? ' (ports below 1024 need privileges; try --port 10102)'
              : ' (is the port in use?)';
          reject(
            new Error(
              `PLC simulator cannot listen on ${this.host}:${this.port}: ${srv.ErrorText(err)}${hint}`,
            ),
          );
        });
      });
    } catch (e) {
      this.detach(srv);
      activeSimId = null;
      throw e;
    }
    this.running = true;
    this.lastReported = null;
    if (this.mode === 'trigger') {
      this.triggerTimer = setInterval(
        () => void this.trigger().catch(() => undefined),
        this.triggerIntervalMs,
      );
    }
  }

  /** Stops listening and drops every client (a PLC that went away); start() again to come back. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.triggerTimer) clearInterval(this.triggerTimer);
    this.triggerTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.plcChain.catch(() => undefined);
    this.plcSide?.close();
    this.plcSide = null;
    const srv = server();
    await new Promise<void>((resolve) => srv.Stop(() => resolve()));
    this.detach(srv);
  }

  /** Stops for good and frees the process-wide server for another simulator. */
  async close(): Promise<void> {
    await this.stop();
    if (this.registered) {
      const srv = server();
      srv.UnregisterArea(srv.srvAreaDB, this.dbNumber);
      this.registered = false;
    }
    if (activeSimId === this.id) activeSimId = null;
    this.removeAllListeners();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The block (start offset .. end) as the PLC holds it now. */
  readBlock(): Uint8Array {
    const all =
      this.strictBounds && this.registered
        ? server().GetArea(server().srvAreaDB, this.dbNumber)
        : this.memory;
    const block = new Uint8Array(blockSizeBytes(this.maxObjects));
    block.set(
      all.subarray(this.startOffsetBytes, Math.min(all.byteLength, this.startOffsetBytes + block.byteLength)),
    );
    return block;
  }

  decode(): DecodedBlock {
    return decodeBlock(this.readBlock(), this.maxObjects);
  }

  /** `length` bytes of the DB from `dbOffset` as the PLC holds them now (e.g. the layout v2 counters). */
  readDbBytes(dbOffset: number, length: number): Uint8Array {
    const all =
      this.strictBounds && this.registered
        ? server().GetArea(server().srvAreaDB, this.dbNumber)
        : this.memory;
    if (dbOffset < 0 || dbOffset + length > all.byteLength)
      throw new RangeError(
        `DB${this.dbNumber} has ${all.byteLength} bytes; cannot read ${length} at ${dbOffset}`,
      );
    return Uint8Array.from(all.subarray(dbOffset, dbOffset + length));
  }

  /** Writes PLC-owned control fields (triggerCounter, ackFrameId, recipeRequest), as the PLC program would. */
  setControl(values: PlcSideValues): Promise<void> {
    const base = this.startOffsetBytes + controlAreaOffsetBytes(this.maxObjects);
    const fields = Object.entries(values).map(([name, value]) => {
      const f = encodeControlField(name as ControlFieldName, value as number);
      return { offset: base + f.offset, bytes: f.bytes };
    });
    return this.writePlcSide(fields);
  }

  /** Writes bytes at absolute DB offsets as the PLC program would (e.g. countersResetRequest in layout v2). */
  writePlcSide(fields: readonly { offset: number; bytes: Uint8Array }[]): Promise<void> {
    if (!this.running) return Promise.reject(new Error('PLC simulator is not running'));
    if (!this.strictBounds) {
      // JS owns the bytes and the server thread only touches them through us: no race.
      for (const f of fields) this.memory.set(f.bytes, f.offset);
      return Promise.resolve();
    }
    const job = this.plcChain.then(async () => {
      const link = await this.plcLink();
      for (const f of fields) await link.writeDb(this.dbNumber, f.offset, f.bytes, 1000);
    });
    this.plcChain = job.catch((e: Error) => {
      this.plcSide?.close();
      this.plcSide = null;
      if (this.running) this.emit('problem', `PLC-side write failed: ${e.message}`);
    });
    return job;
  }

  /** triggerCounter + 1 (wrapping like a DINT); returns the new value. */
  async trigger(): Promise<number> {
    const current = this.decode().control?.triggerCounter ?? 0;
    const next = current === 2147483647 ? -2147483648 : current + 1;
    await this.setControl({ triggerCounter: next });
    return next;
  }

  // ---------------------------------------------------------------------------------------------

  private detach(srv: NativeS7Server): void {
    srv.off('event', this.onEvent);
    srv.off('readWrite', this.onReadWrite);
  }

  private async plcLink(): Promise<Snap7Link> {
    if (!this.plcSide) {
      const link = new Snap7Link();
      await link.connect(
        { host: this.host === '0.0.0.0' ? '127.0.0.1' : this.host, port: this.port, rack: 0, slot: 1 },
        2000,
      );
      this.plcSide = link;
    }
    return this.plcSide;
  }

  private handleReadWrite(
    sender: string,
    op: number,
    tag: RwTag,
    buffer: Buffer,
    cb: (buf?: Buffer) => void,
  ): void {
    const srv = server();
    const ours = tag.Area === S7_AREA_DB && tag.DBNumber === this.dbNumber;
    const size = tag.Size * (WORD_LEN_BYTES[tag.WordLen] ?? 1);
    const start = tag.Start;
    // Always answer at once: the server thread waits for this callback.
    if (op === srv.operationRead) {
      if (ours)
        buffer.set(
          this.memory.subarray(
            Math.min(start, this.memory.byteLength),
            Math.min(start + size, this.memory.byteLength),
          ),
        );
      cb(buffer);
      if (!ours || start + size > this.memory.byteLength)
        this.emit(
          'problem',
          `read outside DB${this.dbNumber} (${this.dbSizeBytes} bytes): area 0x${tag.Area.toString(16)} DB${tag.DBNumber} ${start}+${size}`,
        );
      return;
    }
    if (ours && start < this.memory.byteLength)
      this.memory.set(buffer.subarray(0, Math.max(0, Math.min(size, this.memory.byteLength - start))), start);
    cb();
    if (!ours || start + size > this.memory.byteLength) {
      this.emit(
        'problem',
        `write outside DB${this.dbNumber} (${this.dbSizeBytes} bytes): area 0x${tag.Area.toString(16)} DB${tag.DBNumber} ${start}+${size}`,
      );
      return;
    }
    this.afterWrite(start, start + size, sender);
  }

  private handleEvent(e: NativeServerEvent): void {
    const srv = server();
    if (e.EvtCode === srv.evcClientAdded) this.emit('client', { event: 'added', address: e.EvtSender });
    else if (e.EvtCode === srv.evcClientDisconnected)
      this.emit('client', { event: 'disconnected', address: e.EvtSender });
    if (!this.strictBounds) return;
    if (
      e.EvtCode !== srv.evcDataWrite ||
      e.EvtRetCode !== 0 ||
      e.EvtParam1 !== S7_AREA_DB ||
      e.EvtParam2 !== this.dbNumber
    )
      return;
    this.afterWrite(e.EvtParam3, e.EvtParam3 + e.EvtParam4, e.EvtSender);
  }

  /** A client wrote bytes [start, end) of the DB. */
  private afterWrite(start: number, end: number, sender: string): void {
    const headerAt = this.startOffsetBytes;
    const recipeActiveAt =
      this.startOffsetBytes +
      controlAreaOffsetBytes(this.maxObjects) +
      encodeControlField('recipeActive', 0).offset;
    if (start <= recipeActiveAt && end > recipeActiveAt) {
      const c = this.decode().control;
      if (c) this.emit('recipeActive', c.recipeActive);
    }
    if (!(start <= headerAt && end > headerAt)) return;
    const block = this.decode();
    const key = { lifeCounter: block.header.lifeCounter, frameId: block.header.frameId };
    if (
      this.lastReported &&
      this.lastReported.lifeCounter === key.lifeCounter &&
      this.lastReported.frameId === key.frameId
    )
      return;
    this.lastReported = key;
    this.emit('frame', { ...block, receivedAtMs: Date.now(), sender });
    if (this.mode === 'ack') {
      const ack = (): void =>
        void this.setControl({ ackFrameId: block.header.frameId }).catch(() => undefined);
      if (this.ackDelayMs <= 0) ack();
      else {
        const t = setTimeout(() => {
          this.timers.delete(t);
          ack();
        }, this.ackDelayMs);
        this.timers.add(t);
      }
    }
  }
}

/** One JSON line per received frame, as `plc-sim` prints it. */
export function simFrameToJson(f: SimFrame): string {
  return JSON.stringify({
    receivedAtMs: f.receivedAtMs,
    lifeCounter: f.header.lifeCounter,
    status: f.status,
    frameId: f.header.frameId,
    requestId: f.header.requestId,
    captureTimeOfDayMs: f.header.captureTimeOfDayMs,
    count: f.header.count,
    latencyMs: f.header.latencyMs,
    records: f.records,
    control: f.control,
  });
}

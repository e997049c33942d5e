/**
 * PLC simulator: a node-snap7 S7Server on loopback with the layout-v1 DB registered. It reports
 * each block the app writes (decoded) and can play the PLC side of the handshakes:
 * - ack: writes ackFrameId = frameId after each frame (after ackDelayMs);
 * - trigger: increments triggerCounter every triggerIntervalMs.
 * PLC-side writes go through a loopback S7 client, as partial writes, so they can never
 * overwrite bytes the app is writing at the same moment (the server copies each PDU under its
 * area lock; a read-modify-SetArea from JS could).
 *
 * node-snap7 keeps its server event plumbing in process-wide globals, so one native S7Server is
 * created per process and reused; a second simultaneous simulator is refused.
 *
 * The simulator reads the DB when snap7 reports the header write. The app writes the header last
 * (or in one PDU), so the decoded block is that frame's; a client writing several frames faster
 * than the event loop turns would show only the newest (frames are de-duplicated by lifeCounter).
 */
import { EventEmitter } from 'node:events';
import { blockSizeBytes, controlAreaOffsetBytes, DEFAULT_MAX_OBJECTS, type ControlFieldName } from '../../shared/plc-layout';
import { decodeBlock, type DecodedBlock } from '../core/plc/decode';
import { encodeControlField, type PlcControl } from '../core/plc/encode';
import type { HandshakeMode } from './plc-config';
import { Snap7Link, loadSnap7 } from './s7-client';

interface NativeS7Server {
  SetParam(param: number, value: number): boolean;
  RegisterArea(area: number, index: number, buf: Buffer): boolean;
  UnregisterArea(area: number, index: number): boolean;
  GetArea(area: number, index: number): Buffer;
  StartTo(ip: string, cb: (err: number | null) => void): void;
  Stop(cb: (err: number | null) => void): void;
  ErrorText(code: number): string;
  on(event: 'event', fn: (e: NativeServerEvent) => void): void;
  off(event: 'event', fn: (e: NativeServerEvent) => void): void;
  LocalPort: number;
  PDURequest: number;
  srvAreaDB: number;
  evcDataWrite: number;
  evcClientAdded: number;
  evcClientDisconnected: number;
}

interface NativeServerEvent {
  EvtSender: string;
  EvtCode: number;
  EvtRetCode: number;
  EvtParam1: number;
  EvtParam2: number;
  EvtParam3: number;
  EvtParam4: number;
}

/** snap7 reports the S7 area code of a DB write (0x84), not the server's srvAreaDB index. */
const S7_AREA_DB = 0x84;

let nativeServer: NativeS7Server | null = null;
/** Which simulator owns the process-wide server. */
let activeSimId: symbol | null = null;

function server(): NativeS7Server {
  if (!nativeServer) nativeServer = new (loadSnap7().S7Server as new () => NativeS7Server)();
  return nativeServer;
}

export interface PlcSimOptions {
  port: number;
  /** Bind address; loopback unless a test rig needs otherwise. */
  host?: string;
  dbNumber: number;
  startOffsetBytes?: number;
  maxObjects?: number;
  /** PLC side to play. free-run: passive. */
  mode?: HandshakeMode;
  triggerIntervalMs?: number;
  ackDelayMs?: number;
  /** DB size override (tests of the size check); default start offset + block. */
  dbSizeBytes?: number;
  /** PDU size the server offers; 960 like an S7-1500 (the client takes the smaller of both). */
  pduBytes?: number;
}

export interface SimFrame extends DecodedBlock {
  receivedAtMs: number;
  sender: string;
}

export interface PlcSimEvents {
  frame: [SimFrame];
  recipeActive: [number];
  client: [{ event: 'added' | 'disconnected'; address: string }];
  /** PLC-side writes that failed (ack/trigger play). */
  problem: [string];
}

export class PlcSim extends EventEmitter<PlcSimEvents> {
  readonly port: number;
  readonly host: string;
  readonly dbNumber: number;
  readonly startOffsetBytes: number;
  readonly maxObjects: number;
  readonly mode: HandshakeMode;
  readonly dbSizeBytes: number;
  private readonly triggerIntervalMs: number;
  private readonly ackDelayMs: number;
  private readonly pduBytes: number;

  private readonly id = Symbol('plc-sim');
  private running = false;
  private plcSide: Snap7Link | null = null;
  /** PLC-side writes run one after another (one S7 job at a time). */
  private plcChain: Promise<void> = Promise.resolve();
  private triggerTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastReported: { lifeCounter: number; frameId: number } | null = null;
  private readonly onEvent = (e: NativeServerEvent): void => this.handleEvent(e);

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
    this.dbSizeBytes = opts.dbSizeBytes ?? this.startOffsetBytes + blockSizeBytes(this.maxObjects);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new RangeError(`port must be 1..65535, got ${this.port}`);
    if (this.dbSizeBytes > 65535) throw new RangeError(`DB of ${this.dbSizeBytes} bytes exceeds 65535`);
  }

  /** Starts listening (again, after stop()). */
  async start(): Promise<void> {
    if (this.running) return;
    if (activeSimId && activeSimId !== this.id) throw new Error('a PLC simulator is already running in this process (node-snap7 allows one S7 server per process)');
    const srv = server();
    activeSimId = this.id;
    srv.SetParam(srv.LocalPort, this.port);
    srv.SetParam(srv.PDURequest, this.pduBytes);
    // A stop()/start() pair keeps the DB contents, like a PLC whose link went away and came back.
    if (!this.hasArea(srv)) {
      if (!srv.RegisterArea(srv.srvAreaDB, this.dbNumber, Buffer.alloc(this.dbSizeBytes))) {
        activeSimId = null;
        throw new Error(`could not register DB${this.dbNumber} (${this.dbSizeBytes} bytes)`);
      }
    }
    srv.on('event', this.onEvent);
    try {
      await new Promise<void>((resolve, reject) => {
        srv.StartTo(this.host, (err) => {
          if (!err) return resolve();
          const hint = this.port < 1024 ? ' (ports below 1024 need privileges; try --port 10102)' : ' (is the port in use?)';
          reject(new Error(`PLC simulator cannot listen on ${this.host}:${this.port}: ${srv.ErrorText(err)}${hint}`));
        });
      });
    } catch (e) {
      srv.off('event', this.onEvent);
      srv.UnregisterArea(srv.srvAreaDB, this.dbNumber);
      activeSimId = null;
      throw e;
    }
    this.running = true;
    this.lastReported = null;
    if (this.mode === 'trigger') {
      this.triggerTimer = setInterval(() => void this.trigger().catch(() => undefined), this.triggerIntervalMs);
    }
  }

  /**
   * Stops listening and drops every client. The DB contents survive a stop/start pair
   * (restart = a PLC that went away and came back), unless `unregister` is set.
   */
  async stop(opts: { unregister?: boolean } = {}): Promise<void> {
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
    srv.off('event', this.onEvent);
    if (opts.unregister) srv.UnregisterArea(srv.srvAreaDB, this.dbNumber);
  }

  private hasArea(srv: NativeS7Server): boolean {
    try {
      if (srv.GetArea(srv.srvAreaDB, this.dbNumber).byteLength === this.dbSizeBytes) return true;
      srv.UnregisterArea(srv.srvAreaDB, this.dbNumber);
      return false;
    } catch {
      return false;
    }
  }

  /** Stops for good and releases the process-wide server for another simulator. */
  async close(): Promise<void> {
    await this.stop({ unregister: true });
    if (activeSimId === this.id) activeSimId = null;
    this.removeAllListeners();
  }

  /** Stop and start again; the DB keeps its contents. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The block (start offset .. end), as the PLC holds it now. */
  readBlock(): Uint8Array {
    const srv = server();
    const all = srv.GetArea(srv.srvAreaDB, this.dbNumber);
    const block = new Uint8Array(blockSizeBytes(this.maxObjects));
    block.set(all.subarray(this.startOffsetBytes, this.startOffsetBytes + block.byteLength));
    return block;
  }

  decode(): DecodedBlock {
    return decodeBlock(this.readBlock(), this.maxObjects);
  }

  /** Writes PLC-owned control fields (triggerCounter, ackFrameId, recipeRequest), as the PLC program would. */
  setControl(values: Partial<Pick<PlcControl, 'triggerCounter' | 'ackFrameId' | 'recipeRequest'>>): Promise<void> {
    const job = this.plcChain.then(async () => {
      if (!this.running) throw new Error('PLC simulator is not running');
      const link = await this.plcLink();
      for (const [name, value] of Object.entries(values) as [ControlFieldName, number][]) {
        const f = encodeControlField(name, value);
        await link.writeDb(this.dbNumber, this.startOffsetBytes + controlAreaOffsetBytes(this.maxObjects) + f.offset, f.bytes, 1000);
      }
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

  private async plcLink(): Promise<Snap7Link> {
    if (!this.plcSide) {
      const link = new Snap7Link();
      await link.connect({ host: this.host === '0.0.0.0' ? '127.0.0.1' : this.host, port: this.port, rack: 0, slot: 1 }, 2000);
      this.plcSide = link;
    }
    return this.plcSide;
  }

  private handleEvent(e: NativeServerEvent): void {
    const srv = server();
    if (e.EvtCode === srv.evcClientAdded) this.emit('client', { event: 'added', address: e.EvtSender });
    else if (e.EvtCode === srv.evcClientDisconnected) this.emit('client', { event: 'disconnected', address: e.EvtSender });
    if (e.EvtCode !== srv.evcDataWrite || e.EvtRetCode !== 0 || e.EvtParam1 !== S7_AREA_DB || e.EvtParam2 !== this.dbNumber) return;
    const start = e.EvtParam3;
    const end = start + e.EvtParam4;
    const headerAt = this.startOffsetBytes;
    const recipeActiveAt = this.startOffsetBytes + controlAreaOffsetBytes(this.maxObjects) + encodeControlField('recipeActive', 0).offset;
    if (start <= recipeActiveAt && end > recipeActiveAt) {
      const c = this.decode().control;
      if (c) this.emit('recipeActive', c.recipeActive);
    }
    if (!(start <= headerAt && end > headerAt)) return;
    const block = this.decode();
    const key = { lifeCounter: block.header.lifeCounter, frameId: block.header.frameId };
    if (this.lastReported && this.lastReported.lifeCounter === key.lifeCounter && this.lastReported.frameId === key.frameId) return;
    this.lastReported = key;
    this.emit('frame', { ...block, receivedAtMs: Date.now(), sender: e.EvtSender });
    if (this.mode === 'ack') {
      const ack = (): void => void this.setControl({ ackFrameId: block.header.frameId }).catch(() => undefined);
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

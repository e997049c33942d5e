/**
 * One real S7 server (node-snap7 S7Server on loopback) holding several DBs, registered with snap7
 * so it checks every access; records the header of every block written to each DB.
 */
import { decodeBlock } from '../../src/main/core/plc/decode';
import { loadSnap7 } from '../../src/main/plc/s7-client';
import { freePort } from '../../src/main/util/net';
import { DEFAULT_MAX_OBJECTS, requiredDbSizeBytes } from '../../src/shared/plc-layout';

interface ServerEvent {
  EvtCode: number;
  EvtRetCode: number;
  EvtParam1: number;
  EvtParam2: number;
  EvtParam3: number;
}
interface NativeServer {
  SetParam(param: number, value: number): boolean;
  RegisterArea(area: number, index: number, buf: Buffer): boolean;
  UnregisterArea(area: number, index: number): boolean;
  GetArea(area: number, index: number): Buffer;
  SetArea(area: number, index: number, buf: Buffer): boolean;
  StartTo(ip: string, cb: (err: number | null) => void): void;
  Stop(cb: (err: number | null) => void): void;
  on(event: 'event', fn: (e: ServerEvent) => void): void;
  removeAllListeners(event: 'event'): void;
  LocalPort: number;
  srvAreaDB: number;
  evcDataWrite: number;
}

const S7_AREA_DB = 0x84;

export interface DbWrite {
  lifeCounter: number;
  frameId: number;
  count: number;
  captureTimeOfDayMs: number;
}

/** node-snap7 keeps its server plumbing in process-wide globals: one native server per process. */
let nativeServer: NativeServer | null = null;

/** One S7 server holding several DBs; records the header of every block written to each. */
export async function startServer(dbNumbers: readonly number[]): Promise<{
  port: number;
  writes: Map<number, DbWrite[]>;
  waitFor(what: string, done: () => boolean, timeoutMs?: number): Promise<void>;
  /** A big-endian INT of a DB, as the PLC program reads it (e.g. recipeActive). */
  readInt(db: number, offsetBytes: number): number;
  /** Sets a big-endian INT of a DB, as the PLC program does (e.g. recipeRequest). */
  writeInt(db: number, offsetBytes: number, value: number): void;
  close(): Promise<void>;
}> {
  nativeServer ??= new (loadSnap7().S7Server as new () => NativeServer)();
  const srv = nativeServer;
  const port = await freePort();
  srv.SetParam(srv.LocalPort, port);
  const writes = new Map<number, DbWrite[]>(dbNumbers.map((n) => [n, []]));
  const waiters = new Set<() => void>();
  for (const db of dbNumbers) {
    const ok = srv.RegisterArea(srv.srvAreaDB, db, Buffer.alloc(requiredDbSizeBytes(DEFAULT_MAX_OBJECTS, 0)));
    if (!ok) throw new Error(`could not register DB${db}`);
  }
  srv.on('event', (e) => {
    if (e.EvtCode !== srv.evcDataWrite || e.EvtRetCode !== 0 || e.EvtParam1 !== S7_AREA_DB) return;
    const list = writes.get(e.EvtParam2);
    // Only writes that include the header (offset 0) complete a frame.
    if (!list || e.EvtParam3 !== 0) return;
    const block = decodeBlock(srv.GetArea(srv.srvAreaDB, e.EvtParam2), DEFAULT_MAX_OBJECTS);
    const last = list.at(-1);
    // Reading after the event, two quick writes can show the newer block twice: keep it once.
    if (last && last.lifeCounter === block.header.lifeCounter) return;
    list.push({
      lifeCounter: block.header.lifeCounter,
      frameId: block.header.frameId,
      count: block.header.count,
      captureTimeOfDayMs: block.header.captureTimeOfDayMs,
    });
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) =>
    srv.StartTo('127.0.0.1', (err) => (err ? reject(new Error(`S7 server: error ${err}`)) : resolve())),
  );
  return {
    port,
    writes,
    waitFor: (what, done, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (done()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const check = (): void => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      }),
    readInt: (db, offsetBytes) => srv.GetArea(srv.srvAreaDB, db).readInt16BE(offsetBytes),
    writeInt: (db, offsetBytes, value) => {
      // snap7 sets a whole area: a client write landing between these two calls would be undone
      // (they run back to back; a lost result block is written again with the next frame).
      const area = srv.GetArea(srv.srvAreaDB, db);
      area.writeInt16BE(value, offsetBytes);
      srv.SetArea(srv.srvAreaDB, db, area);
    },
    close: async () => {
      await new Promise<void>((resolve) => srv.Stop(() => resolve()));
      srv.removeAllListeners('event');
      for (const db of dbNumbers) srv.UnregisterArea(srv.srvAreaDB, db);
    },
  };
}

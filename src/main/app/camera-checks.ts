/**
 * The checks of a list of cameras that need the adapters' parsers (the schema checks are in
 * core/cameras-file): every source parses, no two cameras write the same PLC bytes or serial port,
 * counting lines are valid, and every model file loads. Shared by `run --cameras` and the Station.
 */
import { parseSourceUri } from '../capture/source-uri';
import { CamerasFileError, type CameraConfig } from '../core/cameras-file';
import { TrackingStage } from '../core/counting';
import { checkModelFile } from '../inference/model-file';
import { parsePlcUri } from '../plc/plc-config';
import { parseSerialUri } from '../serial/serial-sink';
import { blockSizeBytes, DEFAULT_MAX_OBJECTS } from '../../shared/plc-layout';

export function trackingStageFor(c: CameraConfig): TrackingStage {
  return new TrackingStage({
    tracking: c.track,
    zones: c.zones,
    lines: c.lines,
    referencePoint: c.referencePoint,
  });
}

/** The PLC bytes each camera writes; `add` throws when a camera's block overlaps an earlier one's. */
export class PlcBlocks {
  private readonly blocks: { at: string; where: string; from: number; to: number }[] = [];

  /** @param simRefusal why 'sim' cannot be used here, or null when it can. */
  constructor(private readonly simRefusal: string | null) {}

  add(uri: string, where: string): void {
    const target = parsePlcUri(uri);
    if (target.kind === 'sim') {
      if (this.simRefusal) throw new Error(this.simRefusal);
      return;
    }
    const s = target.settings;
    const from = s.startOffsetBytes ?? 0;
    const block = {
      at: `${s.host}:${s.port}/DB${s.dbNumber}`,
      where,
      from,
      to: from + blockSizeBytes(s.maxObjects ?? DEFAULT_MAX_OBJECTS, s.layoutVersion ?? 1),
    };
    const clash = this.blocks.find((b) => b.at === block.at && b.from < block.to && block.from < b.to);
    if (clash)
      throw new Error(
        `writes to ${block.at} bytes ${from}..${block.to - 1}, as ${clash.where} does; give each camera its own db (or offset)`,
      );
    this.blocks.push(block);
  }
}

export interface CameraCheckOptions {
  /** A PLC link outside the list that the cameras must not overlap (the station's main camera). */
  otherPlc?: { uri: string; where: string } | null;
  /** Why 'sim' cannot be used here, when it cannot (null: one camera may use it). */
  simRefusal?: string | null;
}

/** Throws CamerasFileError naming the camera and the field: `cameras[1] ("right").plc: ...`. */
export async function checkCameras(
  cameras: readonly CameraConfig[],
  opts: CameraCheckOptions = {},
): Promise<void> {
  const fail = (m: string): never => {
    throw new CamerasFileError(m);
  };
  const plcBlocks = new PlcBlocks(
    opts.simRefusal ??
      (cameras.length > 1
        ? "'sim' serves one camera only (one S7 server per process); start `plc-sim` or a PLC and give each camera an s7:// URI with its own db"
        : null),
  );
  const addBlock = (uri: string, where: string): void => plcBlocks.add(uri, where);
  const other = opts.otherPlc;
  if (other && parsePlcUri(other.uri).kind !== 'sim') addBlock(other.uri, other.where);
  const serialPorts = new Map<string, string>();
  const checkedModels = new Map<string, Promise<unknown>>();
  for (const [i, c] of cameras.entries()) {
    const where = `cameras[${i}] ("${c.name}")`;
    const field = (name: string, run: () => void): void => {
      try {
        run();
      } catch (e) {
        fail(`${where}.${name}: ${(e as Error).message}`);
      }
    };
    field('source', () => parseSourceUri(c.source));
    const plc = c.plc;
    if (plc !== undefined) field('plc', () => addBlock(plc, where));
    const serial = c.serial;
    if (serial !== undefined)
      field('serial', () => {
        const { path: port } = parseSerialUri(serial);
        const taken = serialPorts.get(port);
        if (taken) throw new Error(`${port} is already the serial port of ${taken}`);
        serialPorts.set(port, where);
      });
    field('lines', () => void trackingStageFor(c));
    if (c.model !== 'classic' && !checkedModels.has(c.model))
      checkedModels.set(
        c.model,
        checkModelFile(c.model).catch((e: unknown) => fail(`${where}.model: ${(e as Error).message}`)),
      );
  }
  for (const check of checkedModels.values()) await check;
}

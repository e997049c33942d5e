/**
 * What the OPC UA server shows of a frame result: one array per field, index i = object i, because
 * SCADA clients read fixed variables, not variable-length structures. Positions are box centres in
 * camera pixels; trackId is -1 without tracking. Pure: the server in src/main/integration/opcua
 * writes these into its address space.
 */
import type { Detection } from '../../shared/detection';

export interface OpcUaResultView {
  frameId: number;
  captureTimeMs: number;
  count: number;
  classIds: number[];
  classNames: string[];
  scores: number[];
  centerXPx: number[];
  centerYPx: number[];
  widthPx: number[];
  heightPx: number[];
  trackIds: number[];
}

const r2 = (v: number): number => Number(v.toFixed(2));

export function opcUaResultView(r: {
  frameId: number;
  captureTimeMs: number;
  detections: readonly Detection[];
}): OpcUaResultView {
  const d = r.detections;
  return {
    frameId: r.frameId,
    captureTimeMs: r.captureTimeMs,
    count: d.length,
    classIds: d.map((x) => x.classId),
    classNames: d.map((x) => x.className),
    scores: d.map((x) => Number(x.score.toFixed(4))),
    centerXPx: d.map((x) => r2((x.box[0] + x.box[2]) / 2)),
    centerYPx: d.map((x) => r2((x.box[1] + x.box[3]) / 2)),
    widthPx: d.map((x) => r2(x.box[2] - x.box[0])),
    heightPx: d.map((x) => r2(x.box[3] - x.box[1])),
    trackIds: d.map((x) => (x.trackId !== undefined && x.trackId >= 0 ? x.trackId : -1)),
  };
}

/** Per-class totals as parallel arrays, sorted by class name so the order is stable. */
export function perClassArrays(perClass: Readonly<Record<string, number>>): {
  names: string[];
  counts: number[];
} {
  const names = Object.keys(perClass).sort();
  return { names, counts: names.map((n) => perClass[n]!) };
}

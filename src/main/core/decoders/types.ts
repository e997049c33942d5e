import type { Detection } from '../../../shared/detection';
import type { Letterbox } from '../geometry';
import type { ModelLayout } from '../model-layout';
import type { RawTensor } from '../tensor';

export interface DecodeParams {
  /** Minimum score kept, 0..1. */
  confThreshold: number;
  /** IoU above which NMS suppresses a box of the same class. */
  iouThreshold: number;
  maxDet: number;
  /** Only these class ids are kept; null keeps all. */
  classFilter: ReadonlySet<number> | null;
}

export interface DecodeContext {
  layout: ModelLayout;
  letterbox: Letterbox;
  classNames: readonly string[];
}

/** Outputs in `layout.outputNames` order → detections in original-image pixels. */
export type Decoder = (
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
) => Detection[];

export const DEFAULT_DECODE_PARAMS: DecodeParams = {
  confThreshold: 0.25,
  iouThreshold: 0.45,
  maxDet: 300,
  classFilter: null,
};

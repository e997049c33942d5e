/**
 * Detection results as every process sees them. Boxes are `[x1, y1, x2, y2]` (xyxy) in pixels of
 * the original image unless a name says otherwise.
 */
export type BoxXyxy = [number, number, number, number];
export type PointXy = [number, number];

/** Run-length encoding of a binary mask in row-major order, starting with a run of zeros. */
export interface MaskRle {
  width: number;
  height: number;
  /** Alternating run lengths: zeros, ones, zeros, ... (first run may be 0). */
  counts: number[];
}

export interface MaskInfo {
  /** Pixels set in the mask, in original-image pixels. */
  areaPx: number;
  /** Outer contour, simplified, in original-image pixels. */
  polygon: PointXy[];
  /** Orientation of the minimum-area rectangle around the mask, degrees in (-90, 90]. */
  angleDeg: number;
  /** Centre of mass of the mask, original-image pixels. */
  centroid: PointXy;
  /** The mask itself, cropped to `originXy` (top-left of the RLE grid in image pixels). */
  rle?: MaskRle;
  originXy?: PointXy;
}

export interface Detection {
  classId: number;
  className: string;
  score: number;
  box: BoxXyxy;
  mask?: MaskInfo;
  /** -1 / absent without tracking. */
  trackId?: number;
  /**
   * False when zones keep this object from the PLC and serial port (outside every include zone or
   * inside an exclude zone); the UI still shows it, dimmed. Absent = eligible.
   */
  eligibleForOutput?: boolean;
}

export interface StageTimingsMs {
  preMs: number;
  inferMs: number;
  postMs: number;
}

export type ExecutionProvider = 'tensorrt' | 'cuda' | 'cpu';

export type ModelFamily = 'yolov5' | 'yolov8' | 'yolov8-seg' | 'yolox' | 'e2e' | 'classic';
export type ModelTask = 'detect' | 'segment';

/** What a loaded model is, as reported to users. */
export interface ModelInfo {
  name: string;
  path: string | null;
  family: ModelFamily;
  task: ModelTask;
  inputWidth: number;
  inputHeight: number;
  classNames: string[];
  provider: ExecutionProvider;
  /** Providers tried before the active one, with why each was not used. */
  providerFallbacks: { provider: ExecutionProvider; reason: string }[];
  licence: string | null;
  loadMs: number;
  warmupMs: number;
}

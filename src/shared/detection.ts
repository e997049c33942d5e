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

/** Oriented box (YOLOv8/11-OBB), original-image pixels. `box` holds its axis-aligned bounds. */
export interface OrientedBox {
  centreXy: PointXy;
  /** Side along `angleDeg`. */
  widthPx: number;
  /** Side across `angleDeg`. */
  heightPx: number;
  /** Direction of the width side, degrees in (-90, 90], 0 = +x, positive towards +y (clockwise on screen). */
  angleDeg: number;
  /** The four corners, clockwise on screen, original-image pixels. */
  corners: [PointXy, PointXy, PointXy, PointXy];
}

/** One pose keypoint (YOLOv8/11-pose), original-image pixels. */
export interface Keypoint {
  x: number;
  y: number;
  /** 0..1 (already sigmoid in Ultralytics exports); null when the model gives no visibility. */
  visibility: number | null;
}

export interface Detection {
  classId: number;
  className: string;
  score: number;
  box: BoxXyxy;
  mask?: MaskInfo;
  obb?: OrientedBox;
  keypoints?: Keypoint[];
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

export type ModelFamily =
  | 'yolov5'
  | 'yolov8'
  | 'yolov8-seg'
  | 'yolov8-obb'
  | 'yolov8-pose'
  | 'yolox'
  | 'e2e'
  /** Separate labels / boxes / scores outputs (RT-DETR, D-FINE, DEIM, torchvision-style). */
  | 'detr'
  /** Raw DETR head: class logits [1,Q,C] + normalised cxcywh boxes [1,Q,4]. */
  | 'detr-raw'
  /** PaddleDetection export with NMS inside: [N,6] rows of class, score, x1, y1, x2, y2. */
  | 'paddle-nms'
  /** One class per pixel: [1,C,H,W] or [1,H,W,C] per head. */
  | 'semantic'
  | 'classic';
export type ModelTask = 'detect' | 'segment' | 'semantic' | 'obb' | 'pose';

/** Row-major run-length encoding of a class map: `counts[i]` pixels of class `values[i]`. */
export interface ClassMapRle {
  width: number;
  height: number;
  values: number[];
  counts: number[];
}

export interface SemanticClassShare {
  classId: number;
  className: string;
  /** Photo pixels of this class. */
  pixels: number;
  /** Share of the photo's pixels, 0..1. */
  fraction: number;
}

/** One output head of a semantic model (e.g. TwinLiteNet: drivable area, lanes). */
export interface SemanticHead {
  name: string;
  classNames: string[];
  /** Classes present, most pixels first. */
  classes: SemanticClassShare[];
  /** The class map at photo resolution. */
  rle: ClassMapRle;
}

/** Semantic segmentation of one photo; class maps are resized to the photo. */
export interface SemanticSegmentation {
  width: number;
  height: number;
  heads: SemanticHead[];
}

/** Intra-op threads and spinning of an ONNX session (see `core/cpu-threads.ts`). */
export interface CpuThreadChoice {
  intraOpThreads: number;
  spinning: boolean;
  /**
   * `measured`: timed at load; `override`: `--threads` or the settings; `fixed`: not a CPU session;
   * `share`: one lane's share of the cores when frames run in parallel (one core: nothing to time).
   */
  chosenBy: 'measured' | 'override' | 'fixed' | 'share';
  /** Per trial: frames per second from the median run, rounded to 0.1; empty unless measured. */
  trials: { intraOpThreads: number; spinning: boolean; fps: number }[];
}

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
  /** ONNX models: the session's threads and spinning, and how they were chosen. */
  cpuThreads?: CpuThreadChoice;
  /** Frames in inference at once (sessions of the model, each with `cpuThreads`); absent: one. */
  parallelFrames?: number;
}

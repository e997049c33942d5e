import type { BoxXyxy, PointXy } from '../../../shared/detection';

/** One detection as stored in a recording's result track. Boxes are xyxy in camera pixels. */
export interface StoredDetection {
  classId: number;
  className: string;
  score: number;
  box: BoxXyxy;
  trackId?: number;
  /** Outer contour of the mask in camera pixels, for segmentation models. */
  polygon?: PointXy[];
  areaPx?: number;
}

/** One frame with its results, as the exporters see it. */
export interface ExportFrame {
  /** Frame number within the recording (unique, increasing). */
  frameNo: number;
  /** Source frame id at capture. */
  frameId: number;
  captureTimeMs: number;
  widthPx: number;
  heightPx: number;
  /** Image file name the exporter writes for this frame (relative to the export's image folder). */
  imageName: string;
  detections: StoredDetection[];
}

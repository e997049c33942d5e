/**
 * What the review mode of the UI gets from the main process: recordings, a timeline of counts and
 * events, one frame with its picture and stored results. Times are ms since the Unix epoch (for a
 * plain video file: ms from its start).
 */
import type { Detection } from './detection';

export interface ReviewTrackInfo {
  name: string;
  kind: 'live' | 'rerun';
  model: string;
  confThreshold: number;
  frames: number;
  fps: number | null;
}

export interface ReviewRecordingInfo {
  /** Folder of the recording (or the video file). */
  path: string;
  name: string;
  startMs: number | null;
  endMs: number | null;
  frames: number;
  tracks: ReviewTrackInfo[];
}

export type ReviewEventKind = 'class' | 'doubtful' | 'crossing' | 'plc-error' | 'alarm';

export interface ReviewEventInfo {
  id: number;
  track: string;
  kind: ReviewEventKind;
  label: string;
  startMs: number;
  endMs: number;
  firstMs: number;
  lastMs: number;
  frames: number;
  peakScore: number | null;
}

/** Counts over one slice of the timeline. */
export interface TimelineBucket {
  startMs: number;
  endMs: number;
  frames: number;
  detections: number;
  /** Detections per class name. */
  byClass: Record<string, number>;
}

export interface ReviewTimeline {
  fromMs: number;
  toMs: number;
  buckets: TimelineBucket[];
  events: ReviewEventInfo[];
}

export interface ReviewFrame {
  frameNo: number;
  frameId: number;
  captureTimeMs: number;
  /** Camera size: the size the detections are measured in. */
  widthPx: number;
  heightPx: number;
  track: string;
  model: string | null;
  confThreshold: number | null;
  /** Stored results at or above the track's threshold, as the line saw them. */
  detections: Detection[];
  /** Candidates kept below the threshold (doubtful), when the track kept any. */
  candidates: Detection[];
  /** `data:image/jpeg;base64,...`, or null when the picture is not on disk. */
  pictureDataUrl: string | null;
  plc: { ok: boolean; error?: string } | null;
}

export type ReviewExportFormat = 'csv' | 'jsonl' | 'coco' | 'yolo' | 'labelstudio';

export interface ReviewExportRequest {
  format: ReviewExportFormat;
  fromMs?: number;
  toMs?: number;
  eventId?: number;
  doubtful?: boolean;
  classes?: string[];
}

export interface ReviewProgress {
  done: number;
  total: number;
}

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
  /**
   * Folder of the recording (or the video file); in the station's API its id instead
   * (`recordings/NAME` or `videos/FILE`), which is all a client may name.
   */
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

// ---------------------------------------------------------------------------------------------
// The review API (Station methods): recordings are named by id, never by a path on the PC.
// ---------------------------------------------------------------------------------------------

/** `recordings/NAME` (a recording folder) or `videos/FILE` (a plain video file), under the data folder. */
export type ReviewRecordingId = string;

export interface ReviewTarget {
  recording: ReviewRecordingId;
  track: string;
}

export interface ReviewTimelineRequest extends ReviewTarget {
  fromMs: number;
  toMs: number;
  buckets: number;
}

export interface ReviewFrameRequest extends ReviewTarget {
  timeMs: number;
  /** 0: the frame shown at timeMs; +1 / −1: the next / previous frame. */
  step: number;
}

export interface RerunRequestInput {
  recording: ReviewRecordingId;
  /** Library id of the model (`classic` or a model file listed by listModels). */
  modelId: string;
  confThreshold: number;
  iouThreshold: number;
  /** Name of the new result track. */
  out: string;
  /** Keep candidates down to this score as doubtful ones. */
  doubtfulMin?: number;
}

export type ReviewJobStateName = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** The one re-run a station runs at a time (pushed as `review` events while it runs). */
export interface ReviewJobState {
  state: ReviewJobStateName;
  recording: ReviewRecordingId | null;
  track: string | null;
  done: number;
  /** Frames to process (0 while unknown: a plain video's frames are counted as they come). */
  total: number;
  fps: number | null;
  error: string | null;
}

export interface CompareRequest {
  recording: ReviewRecordingId;
  a: string;
  b: string;
  /** Boxes overlapping at least this much are the same object (default 0.3). */
  matchIou?: number;
  /** A matched pair overlapping less than this has moved (default 0.7). */
  movedIou?: number;
}

export interface CompareObject {
  className: string;
  score: number;
  box: [number, number, number, number];
}

export interface CompareFrameDiff {
  frameNo: number;
  captureTimeMs: number;
  onlyA: CompareObject[];
  onlyB: CompareObject[];
  classChanged: { a: CompareObject; b: CompareObject; iou: number }[];
  moved: { a: CompareObject; b: CompareObject; iou: number }[];
}

export interface CompareTrackSummary {
  track: string;
  model: string;
  conf: number;
  frames: number;
  fps: number | null;
}

export interface CompareClassSummary {
  countA: number;
  countB: number;
  onlyA: number;
  onlyB: number;
  classChangedFromA: number;
  moved: number;
}

export interface ReviewComparison {
  a: CompareTrackSummary;
  b: CompareTrackSummary;
  framesCompared: number;
  framesDifferent: number;
  perClass: Record<string, CompareClassSummary>;
  /** Crossings per counting line in each track. */
  lines: { a: Record<string, number>; b: Record<string, number> };
  /** The frames that differ, in time order (the first `MAX_COMPARE_FRAMES` of them). */
  frames: CompareFrameDiff[];
}

export const MAX_COMPARE_FRAMES = 500;

export interface ExportRecordingRequest extends ReviewExportRequest {
  recording: ReviewRecordingId;
  track: string;
}

export interface ExportRecordingResult {
  /** Where the export went on the station's PC (under the data folder's `exports/`). */
  path: string;
  format: ReviewExportFormat;
  track: string;
  frames: number;
  detections: number;
  /** Selected frames left out of an image export because their picture is gone. */
  withoutPicture: number;
}

/** The station's live recording (settings and how it goes). */
export interface RecordingStatus {
  enabled: boolean;
  /** Id of the live recording in the review list. */
  recording: ReviewRecordingId;
  maxGb: number;
  maxDays: number;
  /** Lowest score of doubtful candidates kept (null: none). */
  doubtfulMin: number | null;
  eventClasses: string[];
  framesIndexed: number;
  framesRecorded: number;
  picturesDropped: number;
  /** Why recording stopped (full disk, ...), or null. */
  stoppedBecause: string | null;
}

export interface SetRecordingRequest {
  enabled?: boolean;
  maxGb?: number;
  maxDays?: number;
  doubtfulMin?: number | null;
  eventClasses?: string[];
}

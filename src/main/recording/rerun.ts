/**
 * Processing a recording (or a plain video) again with another model or thresholds, as fast as
 * the machine goes: every recorded picture is decoded in order and inferred, and the results
 * become a new result track of the same recording. The live line is not involved.
 */
import type { DecodeParams } from '../core/decoders/types';
import { scaleDetections } from '../core/scale-detections';
import type { InferenceEngine } from '../inference/engine';
import type { FrameRow } from './index-db';
import { encodedSize, RecordingError, type Recording } from './reader';
import { toStoredDetection } from './recorder';
import { decodeFrames } from './video-decode';

export interface RerunOptions {
  engine: InferenceEngine;
  track: string;
  /** Thresholds of the new track. Detections down to `candidateConf` are kept as doubtful candidates. */
  params: DecodeParams;
  candidateConf?: number;
  /** Replace a track of the same name instead of refusing. */
  replace?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RerunSummary {
  track: string;
  frames: number;
  elapsedMs: number;
  fps: number;
}

export async function rerun(rec: Recording, o: RerunOptions): Promise<RerunSummary> {
  const model = o.engine.model;
  if (!model) throw new Error('no model loaded');
  if (rec.index.track(o.track)) {
    if (!o.replace)
      throw new RecordingError(`result track '${o.track}' exists already; choose another --out name`);
    rec.index.deleteTrack(o.track);
  }
  const candidateConf = Math.min(o.candidateConf ?? o.params.confThreshold, o.params.confThreshold);
  rec.index.upsertTrack({
    name: o.track,
    kind: 'rerun',
    model: model.name,
    conf: o.params.confThreshold,
    iou: o.params.iouThreshold,
    candidateConf,
    createdMs: Date.now(),
    classNames: model.classNames,
  });
  const segments = rec.index.segments();
  const plain = rec.isPlainVideo;
  const total = plain ? null : segments.reduce((s, seg) => s + rec.index.framesOfSegment(seg.seq).length, 0);
  const t0 = performance.now();
  let done = 0;
  for (const seg of segments) {
    const rows = new Map<number, FrameRow>(
      rec.index.framesOfSegment(seg.seq).map((f) => [f.indexInSegment!, f]),
    );
    const size = encodedSize(seg, plain);
    await decodeFrames(
      rec.ffmpegPath,
      rec.segmentFile(seg),
      size,
      async (rgb, i) => {
        let row = rows.get(i);
        if (!row && plain) {
          // A plain video's frames are indexed as the first re-run decodes them.
          row = {
            frameNo: i + 1,
            frameId: i + 1,
            captureTimeMs: Math.round((i * 1000) / seg.fps),
            widthPx: seg.widthPx,
            heightPx: seg.heightPx,
            segmentSeq: seg.seq,
            indexInSegment: i,
          };
          rec.index.addFrame(row, null);
        }
        if (!row) return; // a picture without an index row (the index stopped first): nothing to attach it to
        const out = await o.engine.infer(
          { rgb, widthPx: size.widthPx, heightPx: size.heightPx },
          { ...o.params, confThreshold: candidateConf },
        );
        const detections = scaleDetections(
          out.detections,
          row.widthPx / seg.widthPx,
          row.heightPx / seg.heightPx,
        );
        rec.index.addResult({
          track: o.track,
          frameNo: row.frameNo,
          resultTimeMs: Date.now(),
          model: out.model.name,
          conf: o.params.confThreshold,
          iou: o.params.iouThreshold,
          detections: detections.map(toStoredDetection),
          crossings: null,
          plc: null,
        });
        done++;
        o.onProgress?.(done, total ?? done);
      },
      o.signal,
    );
  }
  const elapsedMs = performance.now() - t0;
  rec.index.finishTrack(o.track, elapsedMs, true);
  return { track: o.track, frames: done, elapsedMs, fps: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0 };
}

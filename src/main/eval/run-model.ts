/**
 * Runs one model over a labelled set on this station's inference engine, collecting detections for
 * the metrics and the latency of each frame. Latency is the wall time of one `engine.infer` call
 * (resize + inference + decode + worker messaging), without decoding the image file: a camera
 * delivers decoded frames. Frames run one at a time, so fps = 1000 / mean latency.
 */
import { basename } from 'node:path';
import type { ModelInfo } from '../../shared/detection';
import type { DetectionRecord, LabelledSet } from '../core/metrics/labelled-set';
import { percentileSorted } from '../core/rolling-stats';
import { InferenceEngine } from '../inference/engine';
import { decodeImageFile, type RgbImage } from '../inference/preprocess';
import { providerOrder } from '../inference/providers';
import type { ExecutionProvider } from '../../shared/detection';

export interface ModelRunOptions {
  workerPath: string;
  modelPath: string;
  provider: ExecutionProvider;
  threads: number;
  confThreshold: number;
  nmsIouThreshold: number;
  maxDet: number;
  /** At least this many timed frames: a small set is cycled again for timing only. */
  minTimedFrames: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  onStatus?: (message: string) => void;
}

export interface ModelRunResult {
  model: ModelInfo;
  detections: DetectionRecord[];
  latenciesMs: number[];
  fps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  warnings: string[];
}

const r2 = (v: number): number => Number(v.toFixed(2));

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('evaluation cancelled');
}

export async function runModelOnSet(set: LabelledSet, o: ModelRunOptions): Promise<ModelRunResult> {
  const missing = set.images.filter((i) => i.filePath === null);
  if (missing.length > 0)
    throw new Error(
      `${missing.length} image file(s) of the labelled set were not found (first: ${missing[0]!.fileName ?? missing[0]!.key})`,
    );
  const engine = new InferenceEngine({ workerPath: o.workerPath });
  if (o.onStatus) engine.on('status', o.onStatus);
  try {
    checkAborted(o.signal);
    const model = await engine.load({
      kind: 'onnx',
      path: o.modelPath,
      providers: providerOrder(o.provider),
      intraOpThreads: o.threads,
    });
    const warnings: string[] = [];
    const modelClasses = new Set(model.classNames);
    for (const c of set.classNames)
      if (!modelClasses.has(c))
        warnings.push(
          `${basename(o.modelPath)}: class '${c}' of the labelled set is not among the model's classes`,
        );
    const params = {
      confThreshold: o.confThreshold,
      iouThreshold: o.nmsIouThreshold,
      maxDet: o.maxDet,
      classFilter: null,
    };
    const detections: DetectionRecord[] = [];
    const latenciesMs: number[] = [];
    const kept: RgbImage[] = [];
    const total = Math.max(set.images.length, o.minTimedFrames);
    for (const img of set.images) {
      checkAborted(o.signal);
      const frame = await decodeImageFile(img.filePath!);
      if (img.widthPx !== null && (img.widthPx !== frame.widthPx || img.heightPx !== frame.heightPx))
        warnings.push(
          `${img.filePath}: the labels say ${img.widthPx}x${img.heightPx} px, the file is ${frame.widthPx}x${frame.heightPx} px`,
        );
      if (kept.length < o.minTimedFrames) kept.push(frame);
      const t0 = performance.now();
      const out = await engine.infer(frame, params);
      latenciesMs.push(performance.now() - t0);
      for (const d of out.detections)
        detections.push({ imageKey: img.key, className: d.className, score: d.score, xyxy: d.box });
      o.onProgress?.(latenciesMs.length, total);
    }
    for (let i = 0; latenciesMs.length < o.minTimedFrames && kept.length > 0; i++) {
      checkAborted(o.signal);
      const t0 = performance.now();
      await engine.infer(kept[i % kept.length]!, params);
      latenciesMs.push(performance.now() - t0);
      o.onProgress?.(latenciesMs.length, total);
    }
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    const meanMs = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
    return {
      model,
      detections,
      latenciesMs,
      fps: sorted.length > 0 ? r2(1000 / meanMs) : 0,
      latencyMs: {
        p50: r2(percentileSorted(sorted, 50)),
        p95: r2(percentileSorted(sorted, 95)),
        p99: r2(percentileSorted(sorted, 99)),
      },
      warnings,
    };
  } finally {
    await engine.close();
  }
}

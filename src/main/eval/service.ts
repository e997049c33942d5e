/**
 * Evaluation runs for the station: one labelled set, one or more models run one after the other,
 * with progress events and cancellation through an AbortSignal. One run at a time: a station has
 * one CPU budget, and two runs would measure each other's load instead of the models.
 */
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { ExecutionProvider } from '../../shared/detection';
import type { EvaluationProgress, EvaluationResults, ModelEvaluation } from '../../shared/evaluation';
import { cocoPrCurves, confusionMatrix } from '../core/metrics/confusion';
import { evaluateSetCoco, unknownDetectionClasses } from '../core/metrics/evaluate-set';
import { recommendModel } from '../core/metrics/recommend';
import { loadLabelledSet } from './datasets/load';
import { runModelOnSet } from './run-model';

export interface EvaluationRequest {
  dataPath: string;
  modelPaths: string[];
  targetFps?: number;
  headroom?: number;
  /** Low, so that mAP sees the whole precision–recall curve. */
  confThreshold?: number;
  nmsIouThreshold?: number;
  minTimedFrames?: number;
  provider?: ExecutionProvider;
  threads?: number;
  /** The operating point of the confusion matrix. */
  confusionScoreThreshold?: number;
  confusionIouThreshold?: number;
}

export class EvaluationService extends EventEmitter<{ progress: [EvaluationProgress]; status: [string] }> {
  private running = false;

  constructor(private readonly options: { workerPath: string }) {
    super();
  }

  get busy(): boolean {
    return this.running;
  }

  async run(req: EvaluationRequest, signal?: AbortSignal): Promise<EvaluationResults> {
    if (this.running) throw new Error('an evaluation is already running; cancel it or wait for it to finish');
    if (req.modelPaths.length === 0) throw new Error('choose at least one model to evaluate');
    this.running = true;
    try {
      const set = await loadLabelledSet(req.dataPath);
      const targetFps = req.targetFps ?? 4;
      const headroom = req.headroom ?? 1.5;
      const scoreThreshold = req.confusionScoreThreshold ?? 0.25;
      const iouThreshold = req.confusionIouThreshold ?? 0.5;
      const models: ModelEvaluation[] = [];
      for (const [modelIndex, modelPath] of req.modelPaths.entries()) {
        if (signal?.aborted) throw new Error('evaluation cancelled');
        const run = await runModelOnSet(set, {
          workerPath: this.options.workerPath,
          modelPath,
          provider: req.provider ?? 'cpu',
          threads: req.threads ?? 0,
          confThreshold: req.confThreshold ?? 0.001,
          nmsIouThreshold: req.nmsIouThreshold ?? 0.7,
          maxDet: 300,
          minTimedFrames: req.minTimedFrames ?? 20,
          ...(signal ? { signal } : {}),
          onStatus: (m) => this.emit('status', m),
          onProgress: (framesDone, framesTotal) =>
            this.emit('progress', {
              modelIndex,
              modelCount: req.modelPaths.length,
              model: basename(modelPath),
              framesDone,
              framesTotal,
            }),
        });
        const coco = evaluateSetCoco(set, run.detections);
        const nameOfId = new Map(set.classIds.map((id, i) => [id, set.classNames[i]!]));
        const unknown = unknownDetectionClasses(set, run.detections);
        models.push({
          name: run.model.name,
          modelPath,
          provider: run.model.provider,
          stats: coco.json.stats,
          perClass: coco.json.perClass,
          prCurves: cocoPrCurves(coco.result, 0).map((c) => ({
            className: nameOfId.get(c.categoryId)!,
            iouThreshold: c.iouThreshold,
            points: c.points.map((p) => ({ recall: p.recall, precision: Number(p.precision.toFixed(6)) })),
          })),
          confusion: confusionMatrix(
            set.classNames,
            set.images.flatMap((img) =>
              img.boxes.map((b) => ({ imageKey: img.key, className: b.className, xyxy: b.xyxy })),
            ),
            run.detections.filter((d) => set.classNames.includes(d.className)),
            scoreThreshold,
            iouThreshold,
          ),
          fps: run.fps,
          latencyMs: run.latencyMs,
          timedFrames: run.latenciesMs.length,
          warnings: [
            ...run.warnings,
            ...(unknown.size > 0
              ? [
                  `detections of classes the labelled set does not have, not scored: ${[...unknown]
                    .map(([n, c]) => `${n} (${c})`)
                    .join(', ')}`,
                ]
              : []),
          ],
        });
      }
      const rec = recommendModel(
        models.map((m) => ({
          name: m.name,
          mAP50: m.stats.AP50,
          mAP5095: m.stats.AP,
          fps: m.fps,
          p99LatencyMs: m.latencyMs.p99,
        })),
        targetFps,
        headroom,
      );
      return {
        dataPath: req.dataPath,
        images: set.images.length,
        classNames: set.classNames,
        models,
        targetFps,
        headroom,
        recommended: rec.name,
        recommendation: rec.text,
        warnings: set.warnings,
      };
    } finally {
      this.running = false;
    }
  }
}

/**
 * The built-in classic detector (background model + connected components) behind the same
 * interface as an ONNX model, so the pipeline, the PLC and the UI cannot tell them apart.
 */
import type { ModelInfo } from '../../shared/detection';
import { ClassicDetector } from '../core/classic';
import type { DecodeParams } from '../core/decoders/types';
import type { ClassicModelSpec, LoadedModel, RunOutput } from './model';
import type { RgbImage } from './preprocess';

export const CLASSIC_MODEL_NAME = 'classic';

export class ClassicModel implements LoadedModel {
  private constructor(
    readonly info: ModelInfo,
    private readonly detector: ClassicDetector,
  ) {}

  static async load(spec: ClassicModelSpec): Promise<ClassicModel> {
    const t0 = performance.now();
    const detector = new ClassicDetector(spec.options ?? {});
    const info: ModelInfo = {
      name: CLASSIC_MODEL_NAME,
      path: null,
      family: 'classic',
      task: 'segment',
      inputWidth: 0,
      inputHeight: 0,
      classNames: Array.from({ length: detector.options.classId + 1 }, (_, i) =>
        i === detector.options.classId ? detector.options.className : `class${i}`,
      ),
      provider: 'cpu',
      providerFallbacks: [],
      licence: 'built in (no weights)',
      loadMs: performance.now() - t0,
      warmupMs: 0,
    };
    return new ClassicModel(info, detector);
  }

  async run(img: RgbImage, params: DecodeParams): Promise<RunOutput> {
    const t0 = performance.now();
    const all = this.detector.detect(img.rgb, img.widthPx, img.heightPx);
    const learning = this.detector.lastFrameWasLearning;
    const t1 = performance.now();
    // Confidence and class filter apply as for any model; there is no NMS (components are disjoint).
    const detections = all
      .filter(
        (d) => d.score >= params.confThreshold && (!params.classFilter || params.classFilter.has(d.classId)),
      )
      .slice(0, params.maxDet);
    return {
      detections,
      timings: { preMs: 0, inferMs: t1 - t0, postMs: performance.now() - t1 },
      ...(learning ? { learning: true } : {}),
    };
  }

  async release(): Promise<void> {}
}

/** The built-in classic detector behind the same interface as an ONNX model. */
import type { LoadedModel, ClassicModelSpec, RunOutput } from './model';
import type { ModelInfo } from '../../shared/detection';
import type { DecodeParams } from '../core/decoders/types';
import type { RgbImage } from './preprocess';

export class ClassicModel implements LoadedModel {
  private constructor(readonly info: ModelInfo) {}

  static async load(_spec: ClassicModelSpec): Promise<ClassicModel> {
    throw new Error('the classic detector is not available in this build');
  }

  async run(_img: RgbImage, _params: DecodeParams): Promise<RunOutput> {
    throw new Error('not implemented');
  }

  async release(): Promise<void> {}
}

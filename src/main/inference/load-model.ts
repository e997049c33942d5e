import type { LoadedModel, LoadStatusListener, ModelSpec } from './model';
import { OnnxModel } from './onnx-model';
import { ClassicModel } from './classic-model';

export async function loadModel(spec: ModelSpec, onStatus: LoadStatusListener): Promise<LoadedModel> {
  return spec.kind === 'onnx' ? OnnxModel.load(spec, onStatus) : ClassicModel.load(spec);
}

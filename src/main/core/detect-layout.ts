/**
 * Decide a model's family, task, input size and preprocessing from what the runtime reports,
 * its ONNX metadata_props and an optional sidecar. Output dims are the ones seen on a real probe
 * run, since exports often declare them symbolic.
 */
import type { ModelFamily, ModelTask } from '../../shared/detection';
import {
  ULTRALYTICS_PREPROCESS,
  UnsupportedModelError,
  YOLOX_PREPROCESS,
  type ModelLayout,
  type Preprocess,
} from './model-layout';
import { COCO80_NAMES, parseClassNames } from './names';
import { describeSpecs, type TensorSpec } from './tensor';

/** Sidecar `MODEL.json` fields (already validated at the boundary). */
export interface LayoutOverrides {
  family?: ModelFamily;
  task?: ModelTask;
  inputWidth?: number;
  inputHeight?: number;
  names?: string[];
  preprocess?: Partial<Preprocess>;
}

export const DEFAULT_INPUT_SIZE_PX = 640;

/** Input size from a static shape, else metadata `imgsz` ("[h, w]" or "640"), else the sidecar, else 640. */
export function resolveInputSize(
  input: TensorSpec,
  metadata: Readonly<Record<string, string>>,
  overrides: LayoutOverrides = {},
): { widthPx: number; heightPx: number } {
  if (overrides.inputWidth && overrides.inputHeight)
    return { widthPx: overrides.inputWidth, heightPx: overrides.inputHeight };
  const [, , h, w] = input.shape;
  if (typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0) return { widthPx: w, heightPx: h };
  const imgsz = metadata['imgsz'];
  if (imgsz) {
    const nums = (imgsz.match(/\d+/g) ?? []).map(Number);
    if (nums.length === 1) return { widthPx: nums[0]!, heightPx: nums[0]! };
    if (nums.length >= 2) return { widthPx: nums[1]!, heightPx: nums[0]! };
  }
  return { widthPx: DEFAULT_INPUT_SIZE_PX, heightPx: DEFAULT_INPUT_SIZE_PX };
}

/** Anchor-free grid cells over strides 8/16/32 (YOLOX, YOLOv8): for 416 → 3549, for 640 → 8400. */
export function gridCellCount(
  widthPx: number,
  heightPx: number,
  strides: readonly number[] = [8, 16, 32],
): number {
  return strides.reduce((sum, s) => sum + Math.floor(widthPx / s) * Math.floor(heightPx / s), 0);
}

/**
 * Checks, before any run, that the model takes one float NCHW 3-channel image; refuses otherwise
 * with a message naming the declared shapes.
 */
export function assertImageInput(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): void {
  const refuse = (why: string): never => {
    throw new UnsupportedModelError(
      `cannot decode this model (${why}); inputs: ${describeSpecs(inputs)}; outputs: ${describeSpecs(outputs)}`,
    );
  };
  if (inputs.length !== 1) refuse(`expected one image input, found ${inputs.length}`);
  const input = inputs[0]!;
  if (input.type !== 'float32' && input.type !== 'float16')
    refuse(`input type ${input.type} is not float32/float16`);
  if (input.shape.length !== 4 || (typeof input.shape[1] === 'number' && input.shape[1] !== 3)) {
    refuse('input is not NCHW with 3 channels');
  }
}

export interface LayoutInput {
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  /** Output dims from a probe run, same order as `outputs`. */
  outputDims: readonly (readonly number[])[];
  metadata: Readonly<Record<string, string>>;
  overrides?: LayoutOverrides;
}

export interface ResolvedModel {
  layout: ModelLayout;
  classNames: string[];
}

export function detectModelLayout(m: LayoutInput): ResolvedModel {
  const overrides = m.overrides ?? {};
  const shapes = (): string =>
    `inputs: ${describeSpecs(m.inputs)}; outputs: ${m.outputs
      .map((o, i) => `${o.name} ${o.type} [${(m.outputDims[i] ?? o.shape).join(',')}]`)
      .join('; ')}`;
  const refuse = (why: string): never => {
    throw new UnsupportedModelError(`cannot decode this model (${why}); ${shapes()}`);
  };

  assertImageInput(m.inputs, m.outputs);
  const input = m.inputs[0]!;
  const { widthPx, heightPx } = resolveInputSize(input, m.metadata, overrides);

  let metaNames: string[] | null = null;
  if (overrides.names) metaNames = overrides.names;
  else if (m.metadata['names']) {
    try {
      metaNames = parseClassNames(m.metadata['names']);
    } catch (e) {
      refuse(`its names metadata cannot be read: ${(e as Error).message}`);
    }
  }
  const metaTask =
    overrides.task ??
    (m.metadata['task'] === 'segment' ? 'segment' : m.metadata['task'] === 'detect' ? 'detect' : undefined);
  const end2end = m.metadata['end2end']?.toLowerCase() === 'true';

  const dims = m.outputDims;
  const d0 = dims[0] ?? [];
  let family: ModelFamily | undefined = overrides.family;
  let numClasses = 0;
  let outputNames = m.outputs.map((o) => o.name);

  const guessFamily = (): ModelFamily | undefined => {
    if (dims.length === 2 && dims.some((d) => d.length === 3) && dims.some((d) => d.length === 4))
      return 'yolov8-seg';
    if (dims.length !== 1 || d0.length !== 3 || d0[0] !== 1) return undefined;
    const [, a, b] = d0 as [number, number, number];
    if (b === 6 && (end2end || a <= 1000)) return 'e2e';
    if (a < b && a > 4) return 'yolov8';
    if (a > b && b > 5) {
      if (a === gridCellCount(widthPx, heightPx)) return 'yolox';
      if (a === 3 * gridCellCount(widthPx, heightPx)) return 'yolov5';
    }
    return undefined;
  };
  family ??= guessFamily();
  if (!family || family === 'classic')
    return refuse(
      'output layout not recognised as YOLOv5, YOLOv8/11 detect or segment, YOLOX or end-to-end [1,300,6]',
    );

  switch (family) {
    case 'yolov8':
      if (d0.length !== 3) refuse('YOLOv8 output must be [1, 4+nc, N]');
      numClasses = d0[1]! - 4;
      break;
    case 'yolov8-seg': {
      if (dims.length !== 2) refuse('segmentation needs a detection output and a prototype output');
      // Either order is allowed in the file; the decoder wants [detections, protos].
      const protoIdx = dims.findIndex((d) => d.length === 4);
      if (protoIdx < 0) refuse('no [1,32,H,W] prototype output');
      const detIdx = 1 - protoIdx;
      const protoChannels = dims[protoIdx]![1]!;
      numClasses = dims[detIdx]![1]! - 4 - protoChannels;
      outputNames = [m.outputs[detIdx]!.name, m.outputs[protoIdx]!.name];
      break;
    }
    case 'yolov5':
    case 'yolox':
      if (d0.length !== 3) refuse(`${family} output must be [1, N, 5+nc]`);
      numClasses = d0[2]! - 5;
      break;
    case 'e2e':
      if (d0.length !== 3 || d0[2] !== 6) refuse('end-to-end output must be [1, N, 6]');
      numClasses = metaNames?.length ?? 80;
      break;
  }
  if (numClasses <= 0) refuse(`computed ${numClasses} classes`);
  if (metaNames && family !== 'e2e' && metaNames.length !== numClasses) {
    refuse(`metadata lists ${metaNames.length} class names but the output has ${numClasses} classes`);
  }
  // Exports without metadata (YOLOv5 torch.onnx.export, YOLOX) are nearly always COCO-80.
  const classNames =
    metaNames ??
    (numClasses === 80 ? [...COCO80_NAMES] : Array.from({ length: numClasses }, (_, k) => `class${k}`));

  const task: ModelTask = family === 'yolov8-seg' ? 'segment' : (metaTask ?? 'detect');
  const basePre = family === 'yolox' ? YOLOX_PREPROCESS : ULTRALYTICS_PREPROCESS;
  return {
    layout: {
      family,
      task,
      inputName: input.name,
      inputType: input.type as 'float32' | 'float16',
      inputWidthPx: widthPx,
      inputHeightPx: heightPx,
      numClasses,
      outputNames,
      preprocess: { ...basePre, ...overrides.preprocess },
    },
    classNames,
  };
}

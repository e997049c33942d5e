/**
 * Decide a model's family, task, input size and preprocessing from what the runtime reports,
 * its ONNX metadata_props and an optional sidecar. Output dims are the ones seen on a real probe
 * run, since exports often declare them symbolic.
 */
import type { ModelFamily, ModelTask } from '../../shared/detection';
import {
  PADDLE_PREPROCESS,
  STRETCH_UNIT_PREPROCESS,
  ULTRALYTICS_PREPROCESS,
  UnsupportedModelError,
  YOLOX_PREPROCESS,
  type ExtraInput,
  type ModelLayout,
  type Preprocess,
  type SemanticHeadLayout,
} from './model-layout';
import { COCO80_NAMES, parseClassNames } from './names';
import { describeSpecs, type TensorSpec } from './tensor';

/** Sidecar `MODEL.json` fields (already validated at the boundary). */
export interface LayoutOverrides {
  family?: ModelFamily;
  task?: ModelTask;
  inputWidth?: number;
  inputHeight?: number;
  inputLayout?: 'nchw' | 'nhwc';
  names?: string[];
  preprocess?: Partial<Preprocess>;
  scoreActivation?: 'sigmoid' | 'softmax';
  /** Semantic heads in output order: display name and class names of each. */
  heads?: { name?: string; names?: string[] }[];
  /** Semantic classes (names or ids of the first head) whose regions become detections. */
  objectClasses?: (string | number)[];
  minAreaPx?: number;
}

export const DEFAULT_INPUT_SIZE_PX = 640;
export const DEFAULT_MIN_REGION_AREA_PX = 64;

/** [1,3,H,W] unless the last axis is the 3 channels and the second is not. */
export function imageInputLayout(input: TensorSpec, override?: 'nchw' | 'nhwc'): 'nchw' | 'nhwc' {
  if (override) return override;
  return input.shape[3] === 3 && input.shape[1] !== 3 ? 'nhwc' : 'nchw';
}

/** Input size from a static shape, else metadata `imgsz` ("[h, w]" or "640"), else the sidecar, else 640. */
export function resolveInputSize(
  input: TensorSpec,
  metadata: Readonly<Record<string, string>>,
  overrides: LayoutOverrides = {},
): { widthPx: number; heightPx: number } {
  if (overrides.inputWidth && overrides.inputHeight)
    return { widthPx: overrides.inputWidth, heightPx: overrides.inputHeight };
  const layout = imageInputLayout(input, overrides.inputLayout);
  const [h, w] = layout === 'nchw' ? [input.shape[2], input.shape[3]] : [input.shape[1], input.shape[2]];
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

/** Second inputs recognised by their conventional names (DETR family, PaddleDetection). */
function extraInputRole(spec: TensorSpec): ExtraInput['role'] | null {
  const n = spec.name.toLowerCase();
  if (/orig_target_sizes|orig_size|target_sizes?$/.test(n)) return 'origSizeWh';
  if (/scale_factor/.test(n)) return 'scaleFactorHw';
  if (/im_shape|image_shape/.test(n)) return 'imShapeHw';
  return null;
}

export interface InputPlan {
  image: TensorSpec;
  layout: 'nchw' | 'nhwc';
  widthPx: number;
  heightPx: number;
  extraInputs: ExtraInput[];
}

/**
 * Which input is the image (float, 4-D, 3 channels first or last) and what every other input is;
 * refuses, naming the declared shapes, when an input is neither.
 */
export function planInputs(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
  overrides: LayoutOverrides = {},
): InputPlan {
  const refuse = (why: string): never => {
    throw new UnsupportedModelError(
      `cannot decode this model (${why}); inputs: ${describeSpecs(inputs)}; outputs: ${describeSpecs(outputs)}`,
    );
  };
  const images = inputs.filter(
    (s) =>
      (s.type === 'float32' || s.type === 'float16') && s.shape.length === 4 && extraInputRole(s) === null,
  );
  if (images.length !== 1) refuse(`expected one image input, found ${images.length}`);
  const image = images[0]!;
  const layout = imageInputLayout(image, overrides.inputLayout);
  const channels = layout === 'nchw' ? image.shape[1] : image.shape[3];
  if (typeof channels === 'number' && channels !== 3) refuse('input is not NCHW or NHWC with 3 channels');
  const extraInputs: ExtraInput[] = [];
  for (const s of inputs) {
    if (s === image) continue;
    const role = extraInputRole(s);
    if (!role) refuse(`input '${s.name}' is not one this app knows how to fill`);
    if (s.type !== 'int64' && s.type !== 'int32' && s.type !== 'float32')
      refuse(`input '${s.name}' has type ${s.type}, expected int64, int32 or float32`);
    const dims = s.shape.length === 1 ? [2] : [1, 2];
    extraInputs.push({ name: s.name, role: role!, type: s.type as ExtraInput['type'], dims });
  }
  const { widthPx, heightPx } = resolveInputSize(image, metadata, overrides);
  return { image, layout, widthPx, heightPx, extraInputs };
}

/** Kept for callers that only check the image input. */
export function assertImageInput(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): void {
  planInputs(inputs, outputs);
}

/** Values of an extra input for a photo of `photoW × photoH` fed as `inputW × inputH`. */
export function extraInputValues(
  role: ExtraInput['role'],
  photoWidthPx: number,
  photoHeightPx: number,
  inputWidthPx: number,
  inputHeightPx: number,
): [number, number] {
  switch (role) {
    case 'origSizeWh':
      return [photoWidthPx, photoHeightPx];
    case 'scaleFactorHw':
      return [inputHeightPx / photoHeightPx, inputWidthPx / photoWidthPx];
    case 'imShapeHw':
      return [inputHeightPx, inputWidthPx];
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

const defaultNames = (n: number): string[] =>
  n === 80 ? [...COCO80_NAMES] : Array.from({ length: n }, (_, k) => `class${k}`);

/** `kpt_shape` metadata ("[17, 3]") → [K, 2|3]. */
function parseKeypointShape(text: string | undefined): [number, 2 | 3] | null {
  const nums = (text?.match(/\d+/g) ?? []).map(Number);
  if (nums.length !== 2 || !(nums[0]! > 0) || (nums[1] !== 2 && nums[1] !== 3)) return null;
  return [nums[0]!, nums[1]];
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

  const plan = planInputs(m.inputs, m.outputs, m.metadata, overrides);
  const { widthPx, heightPx } = plan;

  let metaNames: string[] | null = null;
  if (overrides.names) metaNames = overrides.names;
  else if (m.metadata['names']) {
    try {
      metaNames = parseClassNames(m.metadata['names']);
    } catch (e) {
      refuse(`its names metadata cannot be read: ${(e as Error).message}`);
    }
  }
  const metaTaskRaw = m.metadata['task'];
  const metaTask: ModelTask | undefined =
    overrides.task ??
    (metaTaskRaw === 'segment' ||
    metaTaskRaw === 'detect' ||
    metaTaskRaw === 'obb' ||
    metaTaskRaw === 'pose' ||
    metaTaskRaw === 'semantic'
      ? metaTaskRaw
      : undefined);
  const end2end = m.metadata['end2end']?.toLowerCase() === 'true';

  const dims = m.outputDims;
  const d0 = dims[0] ?? [];
  let family: ModelFamily | undefined = overrides.family;
  let numClasses = 0;
  let outputNames = m.outputs.map((o) => o.name);
  const nameOf = (i: number): string => m.outputs[i]!.name.toLowerCase();
  const last = (d: readonly number[]): number => d[d.length - 1]!;

  // DETR family with post-processing in the graph: labels [1,Q] / boxes [1,Q,4] / scores [1,Q]
  // (or without the batch axis, torchvision-style).
  const detrOutputs = (): [number, number, number] | null => {
    if (dims.length !== 3) return null;
    const boxes = dims.findIndex((d) => last(d) === 4 && (d.length === 3 || d.length === 2));
    if (boxes < 0) return null;
    const q = dims[boxes]![dims[boxes]!.length - 2];
    const rest = [0, 1, 2].filter((i) => i !== boxes && dims[i]!.length === dims[boxes]!.length - 1);
    if (rest.length !== 2 || rest.some((i) => last(dims[i]!) !== q)) return null;
    const isLabels = (i: number): boolean =>
      m.outputs[i]!.type.startsWith('int') || /label|class/.test(nameOf(i));
    const labels = rest.find(isLabels);
    const scores = rest.find((i) => i !== labels);
    if (labels === undefined || scores === undefined) return null;
    return [labels, boxes, scores];
  };
  // Raw DETR head: logits [1,Q,C] + normalised cxcywh boxes [1,Q,4].
  const detrRawOutputs = (): [number, number] | null => {
    if (dims.length !== 2 || dims.some((d) => d.length !== 3 || d[0] !== 1)) return null;
    if (dims[0]![1] !== dims[1]![1]) return null;
    const boxes =
      last(dims[0]!) === 4 && (last(dims[1]!) !== 4 || /box/.test(nameOf(0)))
        ? 0
        : last(dims[1]!) === 4
          ? 1
          : -1;
    if (boxes < 0) return null;
    return [1 - boxes, boxes];
  };
  const paddleRows = (): number => dims.findIndex((d) => d.length === 2 && d[1] === 6);

  const guessFamily = (): ModelFamily | undefined => {
    if (metaTask === 'semantic') return 'semantic';
    // Task metadata is trusted over shapes: a small test model may have fewer anchors than rows.
    if (dims.length === 1 && d0.length === 3 && d0[0] === 1) {
      if (metaTask === 'obb') return 'yolov8-obb';
      if (metaTask === 'pose') return 'yolov8-pose';
    }
    if (dims.length === 2 && dims.some((d) => d.length === 3) && dims.some((d) => d.length === 4))
      return 'yolov8-seg';
    if (dims.length > 0 && dims.every((d) => d.length === 4 && d[0] === 1)) return 'semantic';
    if (detrOutputs()) return 'detr';
    if (detrRawOutputs()) return 'detr-raw';
    if (paddleRows() >= 0 && dims.every((d) => d.length <= 2)) return 'paddle-nms';
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
      'output layout not recognised as YOLOv5, YOLOv8/11 detect, segment, OBB or pose, YOLOX, end-to-end [1,300,6], ' +
        'DETR (labels/boxes/scores or logits + boxes), PaddleDetection [N,6] or semantic [1,C,H,W]/[1,H,W,C]',
    );

  let keypointShape: [number, 2 | 3] | undefined;
  let semanticHeads: SemanticHeadLayout[] | undefined;
  const scoreActivation = overrides.scoreActivation ?? 'sigmoid';
  switch (family) {
    case 'yolov8':
      if (d0.length !== 3) refuse('YOLOv8 output must be [1, 4+nc, N]');
      numClasses = d0[1]! - 4;
      break;
    case 'yolov8-obb':
      if (d0.length !== 3) refuse('OBB output must be [1, 4+nc+1, N]');
      numClasses = d0[1]! - 5;
      break;
    case 'yolov8-pose': {
      if (d0.length !== 3) refuse('pose output must be [1, 4+1+K*3, N]');
      const rows = d0[1]!;
      keypointShape =
        parseKeypointShape(m.metadata['kpt_shape']) ??
        ((rows - 5) % 3 === 0 ? [(rows - 5) / 3, 3] : refuse('pose output rows are not 5 + K*3'));
      if (5 + keypointShape[0] * keypointShape[1] !== rows)
        refuse(`kpt_shape [${keypointShape.join(', ')}] does not fit ${rows} output rows`);
      numClasses = 1;
      break;
    }
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
    case 'detr': {
      const idx = detrOutputs() ?? refuse('DETR exports need labels [1,Q], boxes [1,Q,4] and scores [1,Q]');
      outputNames = idx.map((i) => m.outputs[i]!.name);
      numClasses = metaNames?.length ?? 80;
      break;
    }
    case 'detr-raw': {
      const idx = detrRawOutputs() ?? refuse('raw DETR heads need logits [1,Q,C] and boxes [1,Q,4]');
      outputNames = idx.map((i) => m.outputs[i]!.name);
      // Softmax heads carry a trailing "no object" class.
      numClasses = last(dims[idx[0]]!) - (scoreActivation === 'softmax' ? 1 : 0);
      break;
    }
    case 'paddle-nms': {
      const rows = paddleRows();
      if (rows < 0) refuse('PaddleDetection NMS exports need an [N,6] output');
      // The count output is not used: PaddleDetection exports report the candidate count there.
      outputNames = [m.outputs[rows]!.name];
      numClasses = metaNames?.length ?? 80;
      break;
    }
    case 'semantic': {
      if (dims.length === 0 || dims.some((d) => d.length !== 4 || d[0] !== 1))
        refuse('semantic segmentation outputs must be [1,C,H,W] or [1,H,W,C]');
      semanticHeads = dims.map((d, i) => {
        const side = overrides.heads?.[i];
        const names = side?.names ?? (i === 0 ? (metaNames ?? undefined) : undefined);
        let classAxis: 1 | 3;
        if (names) {
          if (d[1] === names.length) classAxis = 1;
          else if (d[3] === names.length) classAxis = 3;
          else
            return refuse(
              `output ${m.outputs[i]!.name} has no axis of ${names.length} classes (the names given)`,
            );
        } else if (d[1]! !== d[3]!) classAxis = d[1]! < d[3]! ? 1 : 3;
        else classAxis = plan.layout === 'nhwc' ? 3 : 1;
        const c = d[classAxis]!;
        if (c < 2) refuse(`output ${m.outputs[i]!.name} has ${c} class(es); semantic heads need 2 or more`);
        return {
          outputName: m.outputs[i]!.name,
          name: side?.name ?? m.outputs[i]!.name,
          classAxis,
          classNames: names ?? Array.from({ length: c }, (_, k) => `class${k}`),
        };
      });
      numClasses = semanticHeads[0]!.classNames.length;
      break;
    }
  }
  if (numClasses <= 0) refuse(`computed ${numClasses} classes`);
  const namesFixedByOutput = family !== 'e2e' && family !== 'detr' && family !== 'paddle-nms';
  if (metaNames && namesFixedByOutput && family !== 'semantic' && metaNames.length !== numClasses) {
    refuse(`metadata lists ${metaNames.length} class names but the output has ${numClasses} classes`);
  }
  // Exports without metadata (YOLOv5 torch.onnx.export, YOLOX, DETR) are nearly always COCO-80.
  const classNames = semanticHeads ? semanticHeads[0]!.classNames : (metaNames ?? defaultNames(numClasses));

  let semantic: ModelLayout['semantic'];
  if (semanticHeads) {
    const objectClassIds = (overrides.objectClasses ?? []).map((c) => {
      const id = typeof c === 'number' ? c : classNames.indexOf(c);
      if (!(id >= 0 && id < classNames.length))
        throw new UnsupportedModelError(
          `objectClasses: '${c}' is not a class of head ${semanticHeads[0]!.name} (${classNames.join(', ')})`,
        );
      return id;
    });
    semantic = {
      heads: semanticHeads,
      objectClassIds,
      minAreaPx: overrides.minAreaPx ?? DEFAULT_MIN_REGION_AREA_PX,
    };
  }

  const task: ModelTask =
    family === 'yolov8-seg'
      ? 'segment'
      : family === 'semantic'
        ? 'semantic'
        : family === 'yolov8-obb'
          ? 'obb'
          : family === 'yolov8-pose'
            ? 'pose'
            : 'detect';
  const basePre =
    family === 'yolox'
      ? YOLOX_PREPROCESS
      : family === 'paddle-nms'
        ? PADDLE_PREPROCESS
        : family === 'detr' || family === 'detr-raw' || family === 'semantic'
          ? STRETCH_UNIT_PREPROCESS
          : ULTRALYTICS_PREPROCESS;
  const inputType = plan.image.type as 'float32' | 'float16';
  return {
    layout: {
      family,
      task,
      inputName: plan.image.name,
      inputType,
      inputLayout: plan.layout,
      inputWidthPx: widthPx,
      inputHeightPx: heightPx,
      extraInputs: plan.extraInputs,
      numClasses,
      outputNames,
      preprocess: { ...basePre, ...overrides.preprocess },
      scoreActivation,
      ...(keypointShape ? { keypointShape } : {}),
      ...(semantic ? { semantic } : {}),
    },
    classNames,
  };
}

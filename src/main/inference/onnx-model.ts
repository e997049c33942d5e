/**
 * An ONNX model in onnxruntime-node: provider fallback, layout detection from a probe run (which is
 * also the warm-up), preprocessing, run, decoding. Lives inside the inference worker.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { spinningOverride } from './ort-env';
import type { CpuThreadChoice, ExecutionProvider, ModelInfo } from '../../shared/detection';
import {
  chooseThreads,
  threadCandidates,
  type CpuThreadConfig,
  type CpuThreadTrial,
} from '../core/cpu-threads';
import { decoderFor } from '../core/decoders';
import type { DecodeParams, Decoder } from '../core/decoders/types';
import { detectModelLayout, extraInputValues, planInputs } from '../core/detect-layout';
import { decodeSemantic } from '../core/decoders/semantic';
import { float16ToFloat32Array } from '../core/float16';
import { objectnessRowsFromFloat16 } from '../core/float16-rows';
import type { ExtraInput, ModelLayout } from '../core/model-layout';
import type { RawTensor, TensorSpec } from '../core/tensor';
import type { LoadedModel, LoadStatusListener, OnnxModelSpec, RunOutput } from './model';
import { readOnnxMetadata } from './onnx-metadata';
import { prepareInput, prepareInputFloat16, type RgbImage } from './preprocess';
import { checkModelFile } from './model-file';
import { computeLetterbox, type Letterbox } from '../core/geometry';
import { modelFrameFormatOf, type ModelFrameFormat } from '../core/model-frame';
import { ImplausibleOutputError, implausibleDetections, implausibleMessage } from '../core/plausibility';
import { readSidecar } from './sidecar';
import {
  float32AtOrBelow,
  rowFilterNames,
  scatterKept,
  scatterProtoCrop,
  type KeptIndices,
  type RowFilterNames,
  type RowFilterSpec,
} from '../core/onnx-row-filter';
import { rowFilterPatch } from './onnx-graph-patch';

// onnxruntime logs provider-library failures itself; we record and report them ourselves.
ort.env.logLevel = 'fatal';

function specsOf(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape }
      : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

function toRawTensor(t: ort.Tensor): RawTensor {
  let data: Float32Array;
  if (t.type === 'float32') data = t.data as Float32Array;
  else if (t.type === 'float16') {
    // onnxruntime-node returns float16 as raw bits in a Uint16Array.
    const bits = t.data as unknown as Uint16Array;
    data = float16ToFloat32Array(new Uint16Array(bits.buffer, bits.byteOffset, bits.length));
  } else if (t.type === 'int64') {
    // Class labels of DETR-family exports; small integers, exact in float32.
    data = Float32Array.from(t.data as BigInt64Array, (v) => Number(v));
  } else if (t.type === 'int32' || t.type === 'float64') {
    data = Float32Array.from(t.data as Int32Array | Float64Array);
  } else throw new Error(`output type ${t.type} is not float32/float16/int64/int32`);
  return { dims: t.dims, data };
}

/** Tensors for the inputs beside the image (photo size, scale factor), see `extraInputValues`. */
function extraFeeds(
  extras: readonly ExtraInput[],
  photoWidthPx: number,
  photoHeightPx: number,
  layout: Pick<ModelLayout, 'inputWidthPx' | 'inputHeightPx'> & { resize: 'letterbox' | 'stretch' },
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  // Under a letterbox the model sees the input size, and boxes are un-letterboxed afterwards.
  const [pw, ph] =
    layout.resize === 'stretch' ? [photoWidthPx, photoHeightPx] : [layout.inputWidthPx, layout.inputHeightPx];
  for (const e of extras) {
    const v = extraInputValues(e.role, pw, ph, layout.inputWidthPx, layout.inputHeightPx);
    feeds[e.name] =
      e.type === 'int64'
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from(v, (x) => BigInt(Math.round(x))),
            e.dims,
          )
        : e.type === 'int32'
          ? new ort.Tensor(
              'int32',
              Int32Array.from(v, (x) => Math.round(x)),
              e.dims,
            )
          : new ort.Tensor('float32', Float32Array.from(v), e.dims);
  }
  return feeds;
}

function imageDims(layout: 'nchw' | 'nhwc', widthPx: number, heightPx: number): number[] {
  return layout === 'nchw' ? [1, 3, heightPx, widthPx] : [1, heightPx, widthPx, 3];
}

const now = (): number => performance.now();

/**
 * The options every session is created with: always an explicit intra-op thread count (onnxruntime's
 * own default ran on one thread on a 2-core machine) and an explicit spinning choice.
 */
export function sessionOptions(
  provider: ExecutionProvider,
  cfg: CpuThreadConfig,
): ort.InferenceSession.SessionOptions {
  if (!Number.isInteger(cfg.intraOpThreads) || cfg.intraOpThreads < 1)
    throw new RangeError(`intra-op threads must be a positive integer, got ${cfg.intraOpThreads}`);
  return {
    executionProviders: [provider],
    intraOpNumThreads: cfg.intraOpThreads,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Spinning idle intra-op threads answer faster but take cores the decoder and the main thread
    // need between two inferences; whether it pays is measured per model (see cpu-threads.ts).
    extra: { session: { intra_op: { allow_spinning: cfg.spinning ? '1' : '0' } } },
  };
}

async function createSession(
  bytes: Uint8Array,
  spec: OnnxModelSpec,
  cfg: CpuThreadConfig,
  onStatus: LoadStatusListener,
): Promise<{
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  fallbacks: { provider: ExecutionProvider; reason: string }[];
}> {
  const fallbacks: { provider: ExecutionProvider; reason: string }[] = [];
  const order: ExecutionProvider[] = spec.providers.length > 0 ? spec.providers : ['cpu'];
  for (const provider of order) {
    if (provider === 'tensorrt') {
      onStatus(
        'Building the TensorRT engine; the Node binding cannot cache it, so this happens at every start and can take minutes',
      );
    }
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(provider, cfg));
      return { session, provider, fallbacks };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0] ?? String(e);
      fallbacks.push({ provider, reason });
      if (provider !== order[order.length - 1])
        onStatus(`${provider} unavailable (${reason}); trying the next provider`);
    }
  }
  const last = fallbacks[fallbacks.length - 1];
  throw new Error(
    `cannot load ${spec.path}: ${last ? `${last.provider}: ${last.reason}` : 'no execution provider'}`,
  );
}

/** Time spent at load choosing threads and spinning, on top of the first session's warm-up. */
export const THREAD_TUNING_BUDGET_MS = 2000;
/** Timed runs per candidate; candidates take turns so a busy moment hits all alike. */
const THREAD_TUNING_MIN_ROUNDS = 2;
const THREAD_TUNING_MAX_ROUNDS = 6;

/** Families whose first output is rows of `[box, objectness, class scores]`, read objectness first. */
const OBJECTNESS_ROWS: ReadonlySet<string> = new Set(['yolov5', 'yolox']);
/** Families whose first output is `[1, 4 + nc (+ more), N]`, one column per anchor. */
const ANCHOR_COLUMNS: ReadonlySet<string> = new Set(['yolov8', 'yolov8-seg']);

/**
 * Where the graph itself drops the rows that cannot pass the threshold (see onnx-row-filter.ts):
 * the first output of the YOLOv5/YOLOX and YOLOv8/11 detect and segment heads. Null for other
 * families, or when `VISION_STATION_ORT_FILTER=0` (to compare against the whole output).
 */
export function rowFilterSpecFor(
  layout: Pick<ModelLayout, 'family' | 'numClasses' | 'outputNames' | 'inputWidthPx' | 'inputHeightPx'>,
  dimsOf: (outputName: string) => readonly number[],
  opset: number,
): RowFilterSpec | null {
  if (process.env['VISION_STATION_ORT_FILTER'] === '0') return null;
  const outputName = layout.outputNames[0];
  if (!outputName) return null;
  const d = dimsOf(outputName);
  // Slice takes its bounds as inputs from opset 10, ReduceMax its axes from 18: the patch is
  // written for opsets 11 and later (an unknown opset, 0, gets no patch).
  if (d.length !== 3 || d[0] !== 1 || opset < 11) return null;
  const nc = layout.numClasses;
  if (OBJECTNESS_ROWS.has(layout.family) && d[2] === 5 + nc)
    return { outputName, rank: 3, keepAxis: 1, scoreAxis: 2, scoreStart: 4, scoreEnd: 5, opset };
  if (!ANCHOR_COLUMNS.has(layout.family) || d[1]! < 4 + nc || nc <= 0) return null;
  const spec: RowFilterSpec = {
    outputName,
    rank: 3,
    keepAxis: 2,
    scoreAxis: 1,
    scoreStart: 4,
    scoreEnd: 4 + nc,
    opset,
  };
  const protosName = layout.family === 'yolov8-seg' ? layout.outputNames[1] : undefined;
  const p = protosName ? dimsOf(protosName) : [];
  if (protosName && p.length === 4 && p[0] === 1)
    spec.protoCrop = {
      protosName,
      heightCells: p[2]!,
      widthCells: p[3]!,
      cellsPerInputX: p[3]! / layout.inputWidthPx,
      cellsPerInputY: p[2]! / layout.inputHeightPx,
    };
  return spec;
}

/** The filtered output, written back each frame into a full-size buffer the decoder reads. */
interface RowFilterState {
  spec: RowFilterSpec;
  names: RowFilterNames;
  /** Dims of the whole output (fixed: the input size is). */
  dims: readonly number[];
  /** The whole output as the decoder sees it; −∞ outside the rows kept this frame. */
  full: Float32Array;
  prevKept: KeptIndices;
  threshold: ort.Tensor;
  /** With `spec.protoCrop`: the whole prototypes, rewritten each frame where the crop lies. */
  protos: { dims: readonly number[]; full: Float32Array } | null;
}

function rowFilterState(
  spec: RowFilterSpec,
  dimsOf: (outputName: string) => readonly number[],
): RowFilterState {
  const dims = dimsOf(spec.outputName);
  const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);
  const protoDims = spec.protoCrop ? dimsOf(spec.protoCrop.protosName) : null;
  return {
    spec,
    names: rowFilterNames(spec.outputName),
    dims,
    full: new Float32Array(size(dims)).fill(-Infinity),
    prevKept: { indices: new Int32Array(dims[spec.keepAxis]!), count: 0 },
    threshold: new ort.Tensor('float32', new Float32Array(1), [1]),
    protos: protoDims ? { dims: protoDims, full: new Float32Array(size(protoDims)) } : null,
  };
}

/** A state of its own (buffers are per session) for the same filter. */
function sameFilterState(f: RowFilterState): RowFilterState {
  return rowFilterState(f.spec, (name) => (name === f.spec.outputName ? f.dims : (f.protos?.dims ?? [])));
}

function withPatch(bytes: Uint8Array, patch: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + patch.length);
  out.set(bytes);
  out.set(patch, bytes.length);
  return out;
}

export class OnnxModel implements LoadedModel {
  /** Reused between frames: the input tensor and its data, and float32 copies of float16 outputs. */
  private inputF32: Float32Array | undefined;
  private inputF16: Uint16Array | undefined;
  private inputTensor: ort.Tensor | undefined;
  private readonly outputF32 = new Map<string, Float32Array>();
  /** The outputs asked of onnxruntime: the filtered one's indices and values instead of it. */
  private readonly fetchNames: string[];
  /**
   * Bytes of the last run's fetched output tensors, and their running total over all runs.
   * onnxruntime-node 1.30 copies every fetched output into a new ArrayBuffer per run, even into a
   * pre-allocated fetch (which it fills, then copies): an allocation this code cannot avoid, only
   * make small by fetching less (the row filter).
   */
  lastOutputBytes = 0;
  outputBytesTotal = 0;
  readonly frameFormat: ModelFrameFormat | null;

  private constructor(
    readonly info: ModelInfo,
    private readonly session: ort.InferenceSession,
    private readonly layout: ModelLayout,
    private readonly decode: Decoder,
    private readonly filter: RowFilterState | null,
  ) {
    this.frameFormat = modelFrameFormatOf(layout);
    this.fetchNames = layout.outputNames.flatMap((n) =>
      filter?.spec.outputName === n
        ? [filter.names.indices, filter.names.values]
        : filter?.spec.protoCrop?.protosName === n
          ? [filter.names.protos, filter.names.protosStart]
          : [n],
    );
  }

  /** Whether the graph filters the first output (see onnx-row-filter.ts). */
  get filtersRows(): boolean {
    return this.filter !== null;
  }

  /** The full-size buffer the first output is rebuilt into, when filtered (tests check identity). */
  get filteredOutputBuffer(): Float32Array | null {
    return this.filter?.full ?? null;
  }

  static async load(spec: OnnxModelSpec, onStatus: LoadStatusListener = () => {}): Promise<OnnxModel> {
    await checkModelFile(spec.path);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(spec.path);
    } catch (e) {
      throw new Error(
        `cannot read model file ${spec.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { cause: e },
      );
    }
    let metadata: Record<string, string>;
    let opset: number;
    try {
      ({ metadata, opset } = readOnnxMetadata(bytes));
    } catch (e) {
      throw new Error(`${spec.path}: ${(e as Error).message}`, { cause: e });
    }
    const overrides = readSidecar(spec.path) ?? {};
    const cores = spec.cores ?? availableParallelism();
    const spinFixed = spec.spinning ?? spinningOverride();
    const threadsFixed = spec.intraOpThreads > 0;
    // Cheapest candidate first: it is also the fallback when tuning does not happen.
    const candidates = threadCandidates(cores).map((c) =>
      spinFixed === undefined ? c : { ...c, spinning: spinFixed },
    );
    const uniqueCandidates = candidates.filter(
      (c, i) =>
        candidates.findIndex((d) => d.intraOpThreads === c.intraOpThreads && d.spinning === c.spinning) === i,
    );
    const first: CpuThreadConfig = threadsFixed
      ? { intraOpThreads: spec.intraOpThreads, spinning: spinFixed ?? false }
      : uniqueCandidates[0]!;
    const t0 = now();
    const { session, provider, fallbacks } = await createSession(bytes, spec, first, onStatus);
    let loadMs = now() - t0;
    let model: OnnxModel;
    let filterSpec: RowFilterSpec | null;
    let dimsOf: (outputName: string) => readonly number[];
    try {
      const inputs = specsOf(session.inputMetadata);
      const outputs = specsOf(session.outputMetadata);
      const plan = planInputs(inputs, outputs, metadata, overrides);
      const { widthPx, heightPx } = plan;
      // The probe doubles as the warm-up: the first run allocates and is much slower than the rest.
      const t1 = now();
      const probeDims = imageDims(plan.layout, widthPx, heightPx);
      const probeIn =
        plan.image.type === 'float16'
          ? new ort.Tensor('float16', new Uint16Array(3 * widthPx * heightPx), probeDims)
          : new ort.Tensor('float32', new Float32Array(3 * widthPx * heightPx), probeDims);
      let probeOut: ort.InferenceSession.ReturnType;
      try {
        probeOut = await session.run({
          [plan.image.name]: probeIn,
          ...extraFeeds(plan.extraInputs, widthPx, heightPx, {
            inputWidthPx: widthPx,
            inputHeightPx: heightPx,
            resize: 'letterbox',
          }),
        });
      } catch (e) {
        throw new Error(
          `cannot run this model on a ${widthPx}x${heightPx} input: ${(e as Error).message.split('\n')[0]}`,
          { cause: e },
        );
      }
      const warmupMs = now() - t1;
      const outputDims = outputs.map((o) => probeOut[o.name]!.dims);
      const { layout, classNames } = detectModelLayout({ inputs, outputs, outputDims, metadata, overrides });
      const cpuThreads: CpuThreadChoice = {
        ...first,
        chosenBy:
          provider !== 'cpu'
            ? 'fixed'
            : threadsFixed
              ? 'override'
              : spec.cores !== undefined && uniqueCandidates.length < 2
                ? 'share'
                : 'measured',
        trials: [],
      };
      const info: ModelInfo = {
        name: basename(spec.path).replace(/\.onnx$/i, ''),
        path: spec.path,
        family: layout.family,
        task: layout.task,
        inputWidth: layout.inputWidthPx,
        inputHeight: layout.inputHeightPx,
        classNames,
        provider,
        providerFallbacks: fallbacks,
        licence: overrides.licence ?? metadata['license'] ?? metadata['licence'] ?? null,
        loadMs,
        warmupMs,
        cpuThreads,
      };
      const decode = decoderFor(layout.family);
      // The probe's output, decoded with every candidate kept, shows a wrong family at once.
      const probeDets = decode(
        layout.outputNames.map((n) => toRawTensor(probeOut[n]!)),
        {
          layout,
          letterbox: computeLetterbox(widthPx, heightPx, widthPx, heightPx, layout.preprocess.padCentred),
          classNames,
        },
        { confThreshold: 0, iouThreshold: 0.45, maxDet: 300, classFilter: null },
      );
      const problem = implausibleDetections(probeDets, classNames.length);
      if (problem) throw new ImplausibleOutputError(implausibleMessage(problem, layout.family));
      // By name: detectModelLayout may order the outputs otherwise than the session does.
      const byName = new Map(outputs.map((o, i) => [o.name, outputDims[i]!] as const));
      dimsOf = (name) => byName.get(name) ?? [];
      filterSpec = rowFilterSpecFor(layout, dimsOf, opset);
      model = new OnnxModel(info, session, layout, decode, null);
    } catch (e) {
      await session.release().catch(() => {});
      throw e;
    }
    let runBytes = bytes;
    if (filterSpec) {
      // The layout is known only after a probe of the model as it is; the filtered session replaces
      // that one. Its first run doubles as its warm-up and as the check that the patched graph
      // runs; where it does not, the model stays as it is (whole outputs, same detections).
      const patched = withPatch(bytes, rowFilterPatch(filterSpec));
      let filtered: OnnxModel | null = null;
      let patchedLoadMs = 0;
      try {
        const t2 = now();
        const { session: s } = await createSession(
          patched,
          { ...spec, providers: [provider] },
          first,
          () => {},
        );
        patchedLoadMs = now() - t2;
        filtered = new OnnxModel(
          model.info,
          s,
          model.layout,
          model.decode,
          rowFilterState(filterSpec, dimsOf),
        );
        const { inputWidth: w, inputHeight: h } = model.info;
        await filtered.run(
          { rgb: new Uint8Array(w * h * 3).fill(114), widthPx: w, heightPx: h },
          { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 300, classFilter: null },
        );
      } catch (e) {
        await filtered?.release().catch(() => {});
        filtered = null;
        onStatus(
          `outputs not filtered in the graph (${(e as Error).message.split('\n')[0]}); reading them whole`,
        );
      }
      if (filtered) {
        await session.release().catch(() => {});
        runBytes = patched;
        // Both sessions were created before the model could serve: both count.
        loadMs += patchedLoadMs;
        model = filtered;
        model.info.loadMs = loadMs;
      }
    }
    if (provider !== 'cpu' || threadsFixed || uniqueCandidates.length < 2) return model;
    return OnnxModel.tuneThreads(model, runBytes, spec, uniqueCandidates, onStatus);
  }

  /**
   * Times `candidates` (the first is `model`'s own session) on a grey frame of the model's size
   * through `run` (pre + infer + post, what the pipeline pays), taking turns: two rounds, then more
   * while within THREAD_TUNING_BUDGET_MS; keeps the chosen session and releases the others.
   */
  private static async tuneThreads(
    model: OnnxModel,
    bytes: Uint8Array,
    spec: OnnxModelSpec,
    candidates: readonly CpuThreadConfig[],
    onStatus: LoadStatusListener,
  ): Promise<OnnxModel> {
    const t0 = now();
    const over = (): boolean => now() - t0 > THREAD_TUNING_BUDGET_MS;
    const { inputWidth: w, inputHeight: h } = model.info;
    const frame: RgbImage = { rgb: new Uint8Array(w * h * 3).fill(114), widthPx: w, heightPx: h };
    const params = { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 300, classFilter: null };
    const models: OnnxModel[] = [model];
    const trials: CpuThreadTrial[] = [{ ...candidates[0]!, msPerFrame: [] }];
    try {
      for (const cfg of candidates.slice(1)) {
        const { session } = await createSession(bytes, { ...spec, providers: ['cpu'] }, cfg, onStatus);
        const m = new OnnxModel(
          { ...model.info, cpuThreads: { ...cfg, chosenBy: 'measured', trials: [] } },
          session,
          model.layout,
          model.decode,
          model.filter ? sameFilterState(model.filter) : null,
        );
        models.push(m);
        trials.push({ ...cfg, msPerFrame: [] });
        await m.run(frame, params); // its warm-up, not timed
      }
      // The first session's warm-up was the probe; one untimed run puts it through `run` too.
      await model.run(frame, params);
      // A busy machine can spend the budget on the warm-ups: the first rounds are always timed.
      for (
        let round = 0;
        round < THREAD_TUNING_MAX_ROUNDS && (round < THREAD_TUNING_MIN_ROUNDS || !over());
        round++
      ) {
        for (let k = 0; k < models.length; k++) {
          // Rotate who goes first, so no candidate always follows the same one.
          const i = (k + round) % models.length;
          const t = now();
          await models[i]!.run(frame, params);
          (trials[i]!.msPerFrame as number[]).push(now() - t);
        }
      }
    } catch (e) {
      await Promise.all(models.map((m) => m.release().catch(() => {})));
      throw e;
    }
    const choice = chooseThreads(trials);
    const keep =
      models.find(
        (m) =>
          m.info.cpuThreads!.intraOpThreads === choice.intraOpThreads &&
          m.info.cpuThreads!.spinning === choice.spinning,
      ) ?? model;
    await Promise.all(models.filter((m) => m !== keep).map((m) => m.release().catch(() => {})));
    keep.info.cpuThreads = choice;
    return keep;
  }

  /** A float16 output as float32, into a buffer reused between frames; only what the decoder reads. */
  private float16Output(name: string, t: ort.Tensor, first: boolean, confThreshold: number): RawTensor {
    const raw = t.data as unknown as Uint16Array;
    const bits = new Uint16Array(raw.buffer, raw.byteOffset, raw.length);
    let buf = this.outputF32.get(name);
    if (!buf || buf.length !== bits.length) {
      buf = new Float32Array(bits.length);
      this.outputF32.set(name, buf);
    }
    const d = t.dims;
    if (first && OBJECTNESS_ROWS.has(this.layout.family) && d.length === 3 && d[0] === 1 && d[2]! > 4) {
      return { dims: d, data: objectnessRowsFromFloat16(bits, d[1]!, d[2]!, 4, confThreshold, buf) };
    }
    return { dims: d, data: float16ToFloat32Array(bits, buf) };
  }

  /** The filtered output's kept slices written into its full-size buffer (the same every frame). */
  private unfiltered(f: RowFilterState, out: ort.InferenceSession.ReturnType): RawTensor {
    const idx = out[f.names.indices]!;
    const values = out[f.names.values]!;
    const k = idx.dims[0] ?? 0;
    const expected = f.dims.map((d, i) => (i === f.spec.keepAxis ? k : d));
    if (values.dims.length !== expected.length || values.dims.some((d, i) => d !== expected[i]))
      throw new Error(
        `filtered output is [${values.dims.join(', ')}], expected [${expected.join(', ')}] (the input size changed?)`,
      );
    scatterKept(
      f.full,
      f.dims,
      f.spec.keepAxis,
      idx.data as BigInt64Array,
      values.data as Float32Array,
      f.prevKept,
    );
    return { dims: f.dims, data: f.full };
  }

  /** The cropped prototypes written into their full-size buffer (the same every frame). */
  private uncropped(
    protos: NonNullable<RowFilterState['protos']>,
    f: RowFilterState,
    out: ort.InferenceSession.ReturnType,
  ): RawTensor {
    const crop = out[f.names.protos]!;
    const start = out[f.names.protosStart]!.data as BigInt64Array;
    scatterProtoCrop(
      protos.full,
      protos.dims,
      crop.data as Float32Array,
      crop.dims,
      Number(start[0]),
      Number(start[1]),
    );
    return { dims: protos.dims, data: protos.full };
  }

  /** The full-size prototypes buffer, when cropped in the graph (tests check identity). */
  get croppedProtosBuffer(): Float32Array | null {
    return this.filter?.protos?.full ?? null;
  }

  async run(img: RgbImage, params: DecodeParams): Promise<RunOutput> {
    const t0 = now();
    const layout = this.layout;
    const dims = imageDims(layout.inputLayout, layout.inputWidthPx, layout.inputHeightPx);
    let letterbox: Letterbox;
    // The tensor object is kept while its data buffer is the same (prepareInput reuses it).
    if (layout.inputType === 'float16') {
      const p = await prepareInputFloat16(img, layout, this.inputF16);
      this.inputF16 = p.bits;
      letterbox = p.letterbox;
      if (this.inputTensor?.data !== p.bits) this.inputTensor = new ort.Tensor('float16', p.bits, dims);
    } else {
      const p = await prepareInput(img, layout, this.inputF32);
      this.inputF32 = p.chw;
      letterbox = p.letterbox;
      if (this.inputTensor?.data !== p.chw) this.inputTensor = new ort.Tensor('float32', p.chw, dims);
    }
    const feeds: Record<string, ort.Tensor> = {
      [layout.inputName]: this.inputTensor,
      ...extraFeeds(layout.extraInputs, img.widthPx, img.heightPx, {
        ...layout,
        resize: layout.preprocess.resize,
      }),
    };
    const filter = this.filter;
    if (filter) {
      (filter.threshold.data as Float32Array)[0] = float32AtOrBelow(params.confThreshold);
      feeds[filter.names.threshold] = filter.threshold;
    }
    const t1 = now();
    const out = await this.session.run(feeds, this.fetchNames);
    const t2 = now();
    let outputBytes = 0;
    for (const n of this.fetchNames) outputBytes += (out[n]?.data as ArrayBufferView).byteLength;
    this.lastOutputBytes = outputBytes;
    this.outputBytesTotal += outputBytes;
    const tensors = layout.outputNames.map((n, i) => {
      if (filter?.spec.outputName === n) return this.unfiltered(filter, out);
      if (filter?.protos && filter.spec.protoCrop?.protosName === n)
        return this.uncropped(filter.protos, filter, out);
      const t = out[n]!;
      return t.type === 'float16' ? this.float16Output(n, t, i === 0, params.confThreshold) : toRawTensor(t);
    });
    const ctx = { layout, letterbox, classNames: this.info.classNames };
    const timings = (t3: number) => ({ preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 });
    if (layout.family === 'semantic') {
      const { detections, segmentation } = decodeSemantic(tensors, ctx, params);
      return { detections, segmentation, timings: timings(now()) };
    }
    const detections = this.decode(tensors, ctx, params);
    const problem = implausibleDetections(detections, this.info.classNames.length);
    if (problem) throw new ImplausibleOutputError(implausibleMessage(problem, layout.family));
    return { detections, timings: timings(now()) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * An ONNX model in onnxruntime-node: provider fallback, layout detection from a probe run (which is
 * also the warm-up), preprocessing, run, decoding. Lives inside the inference worker.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider, ModelInfo } from '../../shared/detection';
import { decoderFor } from '../core/decoders';
import type { DecodeParams, Decoder } from '../core/decoders/types';
import { detectModelLayout, extraInputValues, planInputs } from '../core/detect-layout';
import { decodeSemantic } from '../core/decoders/semantic';
import { float16ToFloat32Array, float32ToFloat16Array } from '../core/float16';
import type { ExtraInput, ModelLayout } from '../core/model-layout';
import type { RawTensor, TensorSpec } from '../core/tensor';
import type { LoadedModel, LoadStatusListener, OnnxModelSpec, RunOutput } from './model';
import { readOnnxMetadata } from './onnx-metadata';
import { prepareInput, type RgbImage } from './preprocess';
import { checkModelFile } from './model-file';
import { computeLetterbox } from '../core/geometry';
import { modelFrameFormatOf, type ModelFrameFormat } from '../core/model-frame';
import { ImplausibleOutputError, implausibleDetections, implausibleMessage } from '../core/plausibility';
import { readSidecar } from './sidecar';

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

async function createSession(
  bytes: Uint8Array,
  spec: OnnxModelSpec,
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
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        intraOpNumThreads: spec.intraOpThreads,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        // Idle intra-op threads sleep instead of spinning: on a small machine the spinning would
        // take the cores the decoder and the main thread need between two inferences.
        extra: { session: { intra_op: { allow_spinning: process.env['VISION_STATION_ORT_SPIN'] ?? '0' } } },
      });
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

export class OnnxModel implements LoadedModel {
  private inputScratch: Float32Array | undefined;
  readonly frameFormat: ModelFrameFormat | null;

  private constructor(
    readonly info: ModelInfo,
    private readonly session: ort.InferenceSession,
    private readonly layout: ModelLayout,
    private readonly decode: Decoder,
  ) {
    this.frameFormat = modelFrameFormatOf(layout);
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
    try {
      metadata = readOnnxMetadata(bytes).metadata;
    } catch (e) {
      throw new Error(`${spec.path}: ${(e as Error).message}`, { cause: e });
    }
    const overrides = readSidecar(spec.path) ?? {};
    const t0 = now();
    const { session, provider, fallbacks } = await createSession(bytes, spec, onStatus);
    const loadMs = now() - t0;
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
      return new OnnxModel(info, session, layout, decode);
    } catch (e) {
      await session.release().catch(() => {});
      throw e;
    }
  }

  async run(img: RgbImage, params: DecodeParams): Promise<RunOutput> {
    const t0 = now();
    const { chw, letterbox } = await prepareInput(img, this.layout, this.inputScratch);
    this.inputScratch = chw;
    const layout = this.layout;
    const dims = imageDims(layout.inputLayout, layout.inputWidthPx, layout.inputHeightPx);
    const input =
      layout.inputType === 'float16'
        ? new ort.Tensor('float16', float32ToFloat16Array(chw), dims)
        : new ort.Tensor('float32', chw, dims);
    const feeds = {
      [layout.inputName]: input,
      ...extraFeeds(layout.extraInputs, img.widthPx, img.heightPx, {
        ...layout,
        resize: layout.preprocess.resize,
      }),
    };
    const t1 = now();
    const out = await this.session.run(feeds);
    const t2 = now();
    const tensors = layout.outputNames.map((n) => toRawTensor(out[n]!));
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

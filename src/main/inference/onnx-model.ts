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
import { assertImageInput, detectModelLayout, resolveInputSize } from '../core/detect-layout';
import { float16ToFloat32Array, float32ToFloat16Array } from '../core/float16';
import type { ModelLayout } from '../core/model-layout';
import type { RawTensor, TensorSpec } from '../core/tensor';
import type { LoadedModel, LoadStatusListener, OnnxModelSpec, RunOutput } from './model';
import { readOnnxMetadata } from './onnx-metadata';
import { prepareInput, type RgbImage } from './preprocess';
import { checkModelFile } from './model-file';
import { computeLetterbox } from '../core/geometry';
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
  } else throw new Error(`output type ${t.type} is not float32/float16`);
  return { dims: t.dims, data };
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

  private constructor(
    readonly info: ModelInfo,
    private readonly session: ort.InferenceSession,
    private readonly layout: ModelLayout,
    private readonly decode: Decoder,
  ) {}

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
      assertImageInput(inputs, outputs);
      const { widthPx, heightPx } = resolveInputSize(inputs[0]!, metadata, overrides);
      // The probe doubles as the warm-up: the first run allocates and is much slower than the rest.
      const t1 = now();
      const probeIn =
        inputs[0]!.type === 'float16'
          ? new ort.Tensor('float16', new Uint16Array(3 * widthPx * heightPx), [1, 3, heightPx, widthPx])
          : new ort.Tensor('float32', new Float32Array(3 * widthPx * heightPx), [1, 3, heightPx, widthPx]);
      let probeOut: ort.InferenceSession.ReturnType;
      try {
        probeOut = await session.run({ [inputs[0]!.name]: probeIn });
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
    const dims = [1, 3, this.layout.inputHeightPx, this.layout.inputWidthPx];
    const input =
      this.layout.inputType === 'float16'
        ? new ort.Tensor('float16', float32ToFloat16Array(chw), dims)
        : new ort.Tensor('float32', chw, dims);
    const t1 = now();
    const out = await this.session.run({ [this.layout.inputName]: input });
    const t2 = now();
    const tensors = this.layout.outputNames.map((n) => toRawTensor(out[n]!));
    const detections = this.decode(
      tensors,
      { layout: this.layout, letterbox, classNames: this.info.classNames },
      params,
    );
    const problem = implausibleDetections(detections, this.info.classNames.length);
    if (problem) throw new ImplausibleOutputError(implausibleMessage(problem, this.layout.family));
    const t3 = now();
    return { detections, timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * What `bench` adds for issue 18: the fastest rate onnxruntime reaches for a model on this machine
 * over threads × spinning, and the bytes the model path allocates per frame in the steady state.
 * Both run the model in this process (no worker), one configuration after another in turns.
 */
import { availableParallelism } from 'node:os';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type { DecodeParams } from '../core/decoders/types';
import { medianOf, threadCandidates, type CpuThreadConfig } from '../core/cpu-threads';
import type { InferenceEngine } from '../inference/engine';
import { OnnxModel } from '../inference/onnx-model';
import { resizeRgb, type RgbImage } from '../inference/preprocess';
import { providerOrder } from '../inference/providers';
import type { ExecutionProvider } from '../../shared/detection';

export interface RawGridEntry extends CpuThreadConfig {
  /** Sessions running frames at once, each with `intraOpThreads` (absent: one). */
  sessions?: number;
  /** 1000 / median of session.run alone over all repetitions (× sessions when several). */
  fps: number;
  /** Per repetition, the median fps of its runs: shows how much the busy machine moved it. */
  repFps: number[];
}

const r2 = (v: number): number => Number(v.toFixed(2));

/**
 * Every candidate of `threadCandidates` (1 thread; all cores without and with spinning), each its
 * own session, taking turns `reps` times with `runs` timed runs each after one untimed warm-up.
 */
export async function rawGrid(
  modelPath: string,
  provider: ExecutionProvider,
  frame: RgbImage,
  params: DecodeParams,
  reps: number,
  runs: number,
): Promise<RawGridEntry[]> {
  const configs = threadCandidates(availableParallelism());
  const models: OnnxModel[] = [];
  try {
    for (const c of configs) {
      models.push(
        await OnnxModel.load({
          kind: 'onnx',
          path: modelPath,
          providers: providerOrder(provider),
          intraOpThreads: c.intraOpThreads,
          spinning: c.spinning,
        }),
      );
    }
    for (const m of models) await m.run(frame, params);
    const inferMs: number[][] = configs.map(() => []);
    const repFps: number[][] = configs.map(() => []);
    for (let rep = 0; rep < reps; rep++) {
      for (let k = 0; k < models.length; k++) {
        // Rotate the order per repetition so no configuration always follows the same one.
        const i = (k + rep) % models.length;
        const these: number[] = [];
        for (let j = 0; j < runs; j++) these.push((await models[i]!.run(frame, params)).timings.inferMs);
        inferMs[i]!.push(...these);
        repFps[i]!.push(r2(1000 / medianOf(these)));
      }
    }
    return configs.map((c, i) => ({ ...c, fps: r2(1000 / medianOf(inferMs[i]!)), repFps: repFps[i]! }));
  } finally {
    await Promise.all(models.map((m) => m.release()));
  }
}

/**
 * The raw rate of `engine`'s lanes working at once: each keeps a frame in its session all the
 * time, `frames` in all per repetition; the rate is lanes × 1000 / median session.run time, as
 * the single-session grid counts session.run alone. Null where the engine has one lane.
 */
export async function rawParallel(
  engine: InferenceEngine,
  frame: RgbImage,
  params: DecodeParams,
  reps: number,
  frames: number,
): Promise<RawGridEntry | null> {
  const lanes = engine.parallelFrames;
  const threads = engine.model?.cpuThreads;
  if (lanes < 2 || !threads) return null;
  const all: number[] = [];
  const repFps: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const these: number[] = [];
    let left = frames;
    const lane = async (): Promise<void> => {
      while (left-- > 0) these.push((await engine.infer(frame, params)).timings.inferMs);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    all.push(...these);
    repFps.push(r2((lanes * 1000) / medianOf(these)));
  }
  return {
    intraOpThreads: threads.intraOpThreads,
    spinning: threads.spinning,
    sessions: lanes,
    fps: r2((lanes * 1000) / medianOf(all)),
    repFps,
  };
}

export interface AllocPerFrame {
  frames: number;
  /** JavaScript heap bytes allocated per frame (what garbage collection has to clean up). */
  heapBytes: number;
  /**
   * ArrayBuffer bytes allocated per frame outside the heap (onnxruntime-node's copies of the
   * outputs included), the mean over the frames during which no garbage collection ran.
   */
  arrayBufferBytes: number;
  /**
   * Of those, onnxruntime-node's fresh copies of the fetched outputs: the sum of their sizes, the
   * mean over all measured frames (with the row filter the size follows what the frame shows).
   */
  outputCopyBytes: number;
  /** Heap plus ArrayBuffers less the output copies: what this project's code allocates. */
  ownBytes: number;
  /** Everything: own plus the output copies (the goal: under 1 MB). */
  totalBytes: number;
  /** Whether the graph filters the first output (onnx-row-filter.ts), which shrinks the copies. */
  rowFilter: boolean;
  gcCount: number;
}

/**
 * Bytes allocated per frame by `model.run` in the steady state. Heap: what is in use at the end
 * minus at the start, plus what every garbage collection in between freed (V8's GC profiler).
 * ArrayBuffers: the growth of `process.memoryUsage().arrayBuffers` across one frame, on frames
 * without a collection (the heap only shrinks in one). The frame is given at the model's input
 * size, as the capture hands it over (no resize).
 */
export async function allocPerFrame(
  model: OnnxModel,
  frame: RgbImage,
  params: DecodeParams,
  frames: number,
): Promise<AllocPerFrame> {
  const w = model.info.inputWidth;
  const h = model.info.inputHeight;
  const sized: RgbImage =
    w > 0 && h > 0 ? { rgb: await resizeRgb(frame, w, h), widthPx: w, heightPx: h } : frame;
  for (let i = 0; i < 5; i++) await model.run(sized, params);
  const copied0 = model.outputBytesTotal;
  const profiler = new GCProfiler();
  profiler.start();
  const h0 = getHeapStatistics();
  let bufferBytes = 0;
  let bufferFrames = 0;
  for (let i = 0; i < frames; i++) {
    const u0 = getHeapStatistics().used_heap_size;
    const a0 = process.memoryUsage().arrayBuffers;
    await model.run(sized, params);
    const a1 = process.memoryUsage().arrayBuffers;
    if (getHeapStatistics().used_heap_size >= u0) {
      bufferBytes += Math.max(0, a1 - a0);
      bufferFrames++;
    }
  }
  const h1 = getHeapStatistics();
  const stats = profiler.stop();
  let freedHeap = 0;
  for (const g of stats?.statistics ?? [])
    freedHeap += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
  const heapBytes = Math.max(0, Math.round((h1.used_heap_size - h0.used_heap_size + freedHeap) / frames));
  const arrayBufferBytes = bufferFrames > 0 ? Math.round(bufferBytes / bufferFrames) : 0;
  const outputCopyBytes = Math.round((model.outputBytesTotal - copied0) / frames);
  const ownBytes = heapBytes + Math.max(0, arrayBufferBytes - outputCopyBytes);
  return {
    frames,
    heapBytes,
    arrayBufferBytes,
    outputCopyBytes,
    ownBytes,
    totalBytes: ownBytes + outputCopyBytes,
    rowFilter: model.filtersRows,
    gcCount: stats?.statistics.length ?? 0,
  };
}

/** Messages between the engine (main thread) and the inference worker. */
import type { ModelInfo } from '../../shared/detection';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelFrameFormat } from '../core/model-frame';
import type { ModelSpec, RunOutput } from './model';

export type ToWorker =
  /** `lowPriority`: a background load (describing the library) that must not slow the live line. */
  | { type: 'load'; id: number; spec: ModelSpec; lowPriority?: boolean }
  /**
   * `rgb` on SharedArrayBuffer memory (a shared frame ring) is read by the worker in place; on
   * ordinary memory postMessage copies it. The sender keeps the frame retained until the answer.
   */
  | { type: 'infer'; id: number; rgb: Uint8Array; widthPx: number; heightPx: number; params: DecodeParams }
  | { type: 'release'; id: number };

export type FromWorker =
  /** `frameFormat`: the model-sized frame the decoder may make for this model (null: none). */
  | { type: 'loaded'; id: number; info: ModelInfo; frameFormat: ModelFrameFormat | null }
  | { type: 'result'; id: number; output: RunOutput }
  | { type: 'released'; id: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'status'; message: string };

/** A request before the worker handle numbers it. */
export type ToWorkerBody = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never;

/** Messages between the engine (main thread) and the inference worker. */
import type { ModelInfo } from '../../shared/detection';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelSpec, RunOutput } from './model';

export type ToWorker =
  /** `lowPriority`: a background load (describing the library) that must not slow the live line. */
  | { type: 'load'; id: number; spec: ModelSpec; lowPriority?: boolean }
  | { type: 'infer'; id: number; rgb: Uint8Array; widthPx: number; heightPx: number; params: DecodeParams }
  | { type: 'release'; id: number };

export type FromWorker =
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'result'; id: number; output: RunOutput }
  | { type: 'released'; id: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'status'; message: string };

/** A request before the worker handle numbers it. */
export type ToWorkerBody = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never;

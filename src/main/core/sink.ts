import type { FrameResult } from '../../shared/frame';

/**
 * Where results go (PLC, serial, UI, recorder). `offer` must return at once: a sink that is busy
 * keeps only the newest result, it never queues, so a slow peer cannot slow the pipeline.
 */
export interface ResultSink {
  readonly name: string;
  offer(result: FrameResult): void;
  close(): Promise<void>;
}

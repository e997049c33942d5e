/**
 * Result outputs other than the UI: the S7 PLC (or its simulator) and a serial port.
 */
import type { InferenceEngine } from './inference/engine';
import type { ResultSink } from './pipeline/sink';

export interface OutputSinks {
  readonly sinks: ResultSink[];
  setHealth(health: { cameraOk?: boolean; modelOk?: boolean }): void;
  close(): Promise<void>;
}

export interface OutputOptions {
  plc?: string;
  serial?: string;
  log: (line: string) => void;
  engine: InferenceEngine;
}

export async function createOutputSinks(opts: OutputOptions): Promise<OutputSinks> {
  const sinks: ResultSink[] = [];
  if (opts.plc || opts.serial) throw new Error('PLC and serial outputs are not wired yet');
  return {
    sinks,
    setHealth() {},
    async close() {
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}

import type { ResultSink } from '../pipeline/sink';

export async function createSerialSink(_uri: string, _log: (line: string) => void, _failFast: boolean): Promise<ResultSink> {
  throw new Error('serial output is not wired yet');
}

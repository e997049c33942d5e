/**
 * `bench` reports issue 18's figures: the raw rate per threads × spinning candidate, the best of
 * them, the pipeline's share, the thread choice, and bytes allocated per frame. Timings are not
 * asserted (the machine is shared); the structure and the exact byte counts are.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { threadCandidates } from '../../src/main/core/cpu-threads';
import { jsonLines, runCli } from '../helpers/cli';
import { sharedModel } from '../helpers/paths';

interface GridEntry {
  intraOpThreads: number;
  spinning: boolean;
  sessions?: number;
  fps: number;
  repFps: number[];
}
interface BenchLine {
  pipeline: { fps: number };
  threads: { intraOpThreads: number; spinning: boolean; chosenBy: string; trials: unknown[] };
  rawGrid: GridEntry[];
  rawBest: GridEntry;
  share: number;
  shareOfOneSession: number;
  parallelFrames: number;
  allocPerFrame: {
    frames: number;
    heapBytes: number;
    arrayBufferBytes: number;
    outputCopyBytes: number;
    ownBytes: number;
    totalBytes: number;
    rowFilter: boolean;
  };
}

describe('bench --model (issue 18 figures)', () => {
  it('prints the raw grid, its best, the share, the override thread choice and allocation per frame', async () => {
    const r = await runCli(
      [
        'bench',
        '--model',
        sharedModel('yolo11n-int8-coco-320.onnx'),
        '--source',
        'synthetic:?size=640x360&fps=max',
        '--frames',
        '10',
        '--raw-runs',
        '5',
        '--grid-reps',
        '2',
        '--grid-runs',
        '1',
        '--alloc-frames',
        '3',
        '--threads',
        '1',
      ],
      240_000,
    );
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const line = jsonLines(r.stdout).at(-1) as BenchLine;
    // --threads wins: no timing at load.
    expect(line.threads).toEqual({ intraOpThreads: 1, spinning: false, chosenBy: 'override', trials: [] });
    // One session per threads × spinning, then the pipeline's lanes at once (one thread each, as
    // --threads says) where there are two cores.
    const lanes = availableParallelism() >= 2 ? 2 : 1;
    expect(line.parallelFrames).toBe(lanes);
    expect(
      line.rawGrid.map((g) => ({
        intraOpThreads: g.intraOpThreads,
        spinning: g.spinning,
        sessions: g.sessions,
      })),
    ).toEqual([
      ...threadCandidates(availableParallelism()).map((c) => ({ ...c, sessions: undefined })),
      ...(lanes > 1 ? [{ intraOpThreads: 1, spinning: false, sessions: lanes }] : []),
    ]);
    for (const g of line.rawGrid) expect(g.repFps).toHaveLength(2);
    const bestFps = Math.max(...line.rawGrid.map((g) => g.fps));
    const bestSingleFps = Math.max(...line.rawGrid.filter((g) => g.sessions === undefined).map((g) => g.fps));
    expect(line.rawBest.fps).toBe(bestFps);
    expect(line.share).toBe(Number((line.pipeline.fps / bestFps).toFixed(2)));
    expect(line.shareOfOneSession).toBe(Number((line.pipeline.fps / bestSingleFps).toFixed(2)));
    // yolo11n's one output is [1, 84, 2100] float32; filtered in the graph, onnxruntime-node copies
    // per kept anchor its index (int64) and its 84 values (float32), the same K on every frame here.
    const a = line.allocPerFrame;
    expect(a.frames).toBe(3);
    expect(a.rowFilter).toBe(true);
    expect(a.outputCopyBytes % (8 + 84 * 4)).toBe(0);
    expect(a.outputCopyBytes).toBeLessThan(84 * 2100 * 4);
    expect(a.ownBytes).toBe(a.heapBytes + Math.max(0, a.arrayBufferBytes - a.outputCopyBytes));
    expect(a.totalBytes).toBe(a.ownBytes + a.outputCopyBytes);
  });
});

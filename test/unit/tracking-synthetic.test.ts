/**
 * The classic detector and the tracker on the built-in synthetic scene, whose ground truth says
 * which part is where in every frame: no id switches, and a line across the belt counts exactly
 * the parts whose centre passed it.
 */
import { describe, expect, it } from 'vitest';
import { ClassicDetector } from '../../src/main/core/classic';
import { TrackingStage, parseLineArg } from '../../src/main/core/counting';
import { iouXyxy } from '../../src/main/core/geometry';
import { renderSyntheticFrame, type SyntheticPart } from '../../src/main/core/synthetic-scene';
import type { FrameResult } from '../../src/shared/frame';

const W = 320;
const H = 180;
const FRAMES = 310;
const LINE_X = 160;

describe('tracking on the synthetic scene', () => {
  it(`keeps one id per part over ${FRAMES} frames and counts the parts that crossed x = ${LINE_X}`, () => {
    const detector = new ClassicDetector({ learnFrames: 1, includeRle: false });
    const stage = new TrackingStage({
      tracking: true,
      lines: [parseLineArg(`gate=${LINE_X},0,${LINE_X},${H}`)],
    });
    const idsOfPart = new Map<number, Set<number>>();
    const partsOfId = new Map<number, Set<number>>();
    const lastCentreX = new Map<number, number>();
    let partsCrossed = 0;
    let matchedObservations = 0;
    let finalCounts: FrameResult['counts'];
    const buffer = new Uint8Array(W * H * 3);
    for (let f = 0; f < FRAMES; f++) {
      const { rgb, parts } = renderSyntheticFrame(f, W, H, buffer);
      const detections = detector.detect(rgb, W, H);
      const out = stage.process({
        frameId: f,
        captureTimeMs: 0,
        resultTimeMs: 0,
        widthPx: W,
        heightPx: H,
        detections,
        modelName: 'classic',
        provider: 'cpu',
        timings: { preMs: 0, inferMs: 0, postMs: 0 },
      });
      finalCounts = out.counts;
      for (const p of parts) {
        const before = lastCentreX.get(p.id);
        if (before !== undefined && before < LINE_X && p.centreXy[0] >= LINE_X) partsCrossed++;
        lastCentreX.set(p.id, p.centreXy[0]);
      }
      // Each reported detection belongs to the ground-truth part it overlaps best.
      for (const d of out.detections) {
        let best: SyntheticPart | null = null;
        let bestIou = 0.5;
        for (const p of parts) {
          const iou = iouXyxy(d.box, p.boxXyxy);
          if (iou > bestIou) [best, bestIou] = [p, iou];
        }
        expect(best, `frame ${f}: track ${d.trackId} matches no part`).not.toBeNull();
        matchedObservations++;
        if (!idsOfPart.has(best!.id)) idsOfPart.set(best!.id, new Set());
        idsOfPart.get(best!.id)!.add(d.trackId!);
        if (!partsOfId.has(d.trackId!)) partsOfId.set(d.trackId!, new Set());
        partsOfId.get(d.trackId!)!.add(best!.id);
      }
    }
    expect(idsOfPart.size).toBeGreaterThanOrEqual(6);
    expect(matchedObservations).toBeGreaterThan(600);
    for (const [part, ids] of idsOfPart) expect([...ids], `part ${part}`).toHaveLength(1);
    for (const [id, partIds] of partsOfId) expect([...partIds], `track ${id}`).toHaveLength(1);
    expect(partsCrossed).toBeGreaterThanOrEqual(4);
    expect(finalCounts).toEqual([{ line: 'gate', in: partsCrossed, out: 0 }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { LineCrossing } from '../../src/shared/frame';
import { PendingCrossings } from '../../src/main/station/pending-crossings';

const crossing = (trackId: number): LineCrossing => ({ line: 'gate', trackId, direction: 'in' });
const ids = (cs: LineCrossing[]): number[] => cs.map((c) => c.trackId);

describe('PendingCrossings', () => {
  it('gives a preview the crossings up to its own frame, and keeps later ones for the next', () => {
    const p = new PendingCrossings();
    p.add(10, [crossing(1)]);
    p.add(11, []);
    p.add(12, [crossing(2), crossing(3)]);
    p.add(14, [crossing(4)]);
    // The picture of frame 12 came apart from its frame and is encoded after frame 14's result.
    expect(ids(p.upTo(12))).toEqual([1, 2, 3]);
    p.sent(12);
    expect(ids(p.upTo(12))).toEqual([]);
    expect(ids(p.upTo(16))).toEqual([4]);
  });

  it('keeps them while no preview is sent (skipped ones), at most max, the oldest going first', () => {
    const p = new PendingCrossings(3);
    for (let f = 1; f <= 5; f++) p.add(f, [crossing(f)]);
    expect(ids(p.upTo(4))).toEqual([3, 4]);
    expect(ids(p.upTo(5))).toEqual([3, 4, 5]);
  });
});

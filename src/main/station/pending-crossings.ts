/**
 * Counting-line crossings waiting for the next preview: previews skip frames, the operator's
 * events list must not. A preview carries the crossings up to its own frame and no later ones
 * (a picture that came apart from its frame is encoded a few frames after it), so the crossings
 * shown with a picture are those its counts include. Bounded: the oldest go first.
 */
import type { LineCrossing } from '../../shared/frame';

export class PendingCrossings {
  private pending: { frameId: number; crossing: LineCrossing }[] = [];

  constructor(private readonly max = 200) {}

  /** The crossings found in frame `frameId`. */
  add(frameId: number, crossings: readonly LineCrossing[]): void {
    if (crossings.length === 0) return;
    this.pending = [...this.pending, ...crossings.map((crossing) => ({ frameId, crossing }))].slice(
      -this.max,
    );
  }

  /** The crossings up to frame `frameId`, for its preview (still kept until `sent`). */
  upTo(frameId: number): LineCrossing[] {
    return this.pending.filter((p) => p.frameId <= frameId).map((p) => p.crossing);
  }

  /** The preview of frame `frameId` was sent: its crossings are shown. */
  sent(frameId: number): void {
    this.pending = this.pending.filter((p) => p.frameId > frameId);
  }
}

/**
 * Puts a frame's result and its preview picture back together when the decoder sends the picture
 * apart from the frame (`previewEvery` above 1: only some frames get one, and it comes after its
 * frame, before or after the frame's result). Exactly one pair per picture whose result comes;
 * nothing waits without bound: results are kept for the last `maxResults` frames, and at most one
 * picture (the newest) waits for its result.
 *
 * `wants()` is asked before a picture is copied to wait: while the preview encoder would skip it
 * anyway (busy, rate cap, nobody watching) the picture is not copied at all.
 */
import { MAX_PREVIEW_EVERY } from '../app/runtime';
import type { FramePicture } from '../capture/types';

export class PreviewPairing<R extends { readonly frameId: number }> {
  /** Results by frame id, oldest first (a Map keeps insertion order). */
  private readonly results = new Map<number, R>();
  /** The picture waiting for its result (copied: the decoder's buffer is reused). */
  private waiting: { frameId: number; picture: { rgb: Buffer; widthPx: number; heightPx: number } } | null =
    null;
  private spare: Buffer | null = null;

  constructor(
    private readonly onPair: (result: R, picture: FramePicture) => void,
    private readonly wants: () => boolean,
    // A picture comes up to MAX_PREVIEW_EVERY − 1 frames after its frame (previewEveryFor), and
    // its frame's result comes before or after it.
    private readonly maxResults = MAX_PREVIEW_EVERY + 8,
  ) {}

  /** A frame's result (results come in frame order). */
  result(r: R): void {
    const w = this.waiting;
    if (w && w.frameId === r.frameId) {
      this.waiting = null;
      this.spare = w.picture.rgb;
      this.onPair(r, w.picture);
      return;
    }
    // A waiting picture of an earlier frame will not get its result now (the frame was dropped).
    if (w && w.frameId < r.frameId) {
      this.waiting = null;
      this.spare = w.picture.rgb;
    }
    this.results.set(r.frameId, r);
    for (const id of this.results.keys()) {
      if (this.results.size <= this.maxResults) break;
      this.results.delete(id);
    }
  }

  /** The preview picture of frame `frameId`, valid during the call. */
  preview(frameId: number, picture: FramePicture): void {
    // Pictures come in frame order: results of earlier frames will get none.
    let r: R | undefined;
    for (const [id, kept] of this.results) {
      if (id > frameId) break;
      this.results.delete(id);
      if (id === frameId) r = kept;
    }
    if (r) {
      this.onPair(r, picture);
      return;
    }
    if (!this.wants()) return;
    const bytes = picture.rgb.byteLength;
    const rgb =
      this.waiting?.picture.rgb.length === bytes
        ? this.waiting.picture.rgb
        : this.spare?.length === bytes
          ? this.spare
          : Buffer.allocUnsafe(bytes);
    rgb.set(picture.rgb);
    this.waiting = { frameId, picture: { rgb, widthPx: picture.widthPx, heightPx: picture.heightPx } };
  }
}

import { describe, expect, it } from 'vitest';
import { FrameSlot, FrameSlotClosedError } from '../../src/main/capture/frame-slot';
import { detachedFrame, FrameRing } from '../../src/main/capture/frame-ring';
import type { Frame } from '../../src/main/capture/types';

function frame(frameId: number): Frame {
  return detachedFrame({
    frameId,
    captureTimeMs: 1000 + frameId,
    widthPx: 2,
    heightPx: 1,
    rgb: new Uint8Array(6),
  });
}

describe('FrameSlot', () => {
  it('drops and counts unconsumed frames; take() gets the newest', async () => {
    const slot = new FrameSlot();
    for (let i = 1; i <= 5; i++) slot.put(frame(i));
    expect(slot.stats).toEqual({ captured: 5, dropped: 4, taken: 0 });
    expect((await slot.take()).frameId).toBe(5);
    expect(slot.stats).toEqual({ captured: 5, dropped: 4, taken: 1 });
    expect(slot.hasFrame).toBe(false);
  });

  it('with a depth of two keeps the two newest, hands them out oldest first, and releases them on close', async () => {
    const ring = new FrameRing(3);
    ring.configure(6);
    const slot = new FrameSlot(2);
    for (let id = 1; id <= 3; id++) {
      const w = ring.acquire();
      if (!w) throw new Error('no buffer');
      const f = ring.publish(w, id, 0, 2, 1);
      slot.put(f);
      f.release(); // the source's own hold
    }
    // The oldest was replaced (and its buffer freed); two wait.
    expect(slot.stats).toEqual({ captured: 3, dropped: 1, taken: 0 });
    expect(ring.freeCount).toBe(1);
    const taken = await slot.take();
    expect(taken.frameId).toBe(2);
    taken.release();
    expect(ring.freeCount).toBe(2);
    slot.close();
    expect(ring.freeCount).toBe(3);
    expect(() => new FrameSlot(0)).toThrow(RangeError);
  });

  it('take() waits for a frame newer than the last taken, then resolves with it', async () => {
    const slot = new FrameSlot();
    slot.put(frame(1));
    expect((await slot.take()).frameId).toBe(1);
    let got: Frame | undefined;
    const p = slot.take().then((f) => (got = f));
    await Promise.resolve();
    expect(got).toBeUndefined();
    slot.put(frame(2));
    await p;
    expect(got?.frameId).toBe(2);
    // Handed straight to the waiter: nothing was dropped, nothing stays behind.
    expect(slot.stats).toEqual({ captured: 2, dropped: 0, taken: 2 });
    expect(slot.hasFrame).toBe(false);
  });

  it('take() rejects on abort and the aborted waiter does not swallow the next frame', async () => {
    const slot = new FrameSlot();
    const ac = new AbortController();
    const p = slot.take(ac.signal);
    ac.abort(new Error('pipeline stopping'));
    await expect(p).rejects.toThrow('pipeline stopping');
    await expect(slot.take(ac.signal)).rejects.toThrow('pipeline stopping');
    slot.put(frame(7));
    expect(slot.hasFrame).toBe(true);
    expect((await slot.take()).frameId).toBe(7);
  });

  it('close() rejects waiters, releases the held frame and ignores later puts', async () => {
    const ring = new FrameRing(2);
    ring.configure(6);
    const slot = new FrameSlot();
    const waiting = slot.take();
    slot.close('source stopped');
    await expect(waiting).rejects.toBeInstanceOf(FrameSlotClosedError);
    await expect(slot.take()).rejects.toThrow(/source stopped/);

    const slot2 = new FrameSlot();
    const w = ring.acquire();
    if (!w) throw new Error('no buffer');
    const f = ring.publish(w, 1, 0, 2, 1);
    slot2.put(f);
    f.release(); // the source's own hold
    expect(ring.freeCount).toBe(1);
    slot2.close();
    expect(ring.freeCount).toBe(2);
    slot2.put(frame(3));
    expect(slot2.hasFrame).toBe(false);
  });

  it('end() keeps the last waiting frame takeable, then rejects', async () => {
    const slot = new FrameSlot();
    slot.put(frame(1));
    slot.put(frame(2));
    slot.end('end of stream');
    slot.put(frame(3)); // ignored after the end
    expect((await slot.take()).frameId).toBe(2);
    await expect(slot.take()).rejects.toThrow(/end of stream/);
    const empty = new FrameSlot();
    const waiting = empty.take();
    empty.end();
    await expect(waiting).rejects.toBeInstanceOf(FrameSlotClosedError);
    expect(empty.stats).toEqual({ captured: 0, dropped: 0, taken: 0 });
  });

  it('keeps ring buffers held exactly while frames wait or are being processed', async () => {
    const ring = new FrameRing(3);
    ring.configure(6);
    const slot = new FrameSlot();
    const emit = (id: number): void => {
      const w = ring.acquire();
      if (!w) throw new Error(`no free buffer for frame ${id}`);
      const f = ring.publish(w, id, id, 2, 1);
      slot.put(f);
      f.release();
    };
    emit(1);
    const processing = await slot.take(); // consumer holds 1
    emit(2); // waits in the slot
    emit(3); // replaces 2, which goes back to the ring
    expect(ring.freeCount).toBe(1);
    emit(4);
    emit(5);
    expect(slot.stats.dropped).toBe(3);
    expect(ring.freeCount).toBe(1);
    processing.release();
    processing.release(); // extra releases are ignored
    expect(ring.freeCount).toBe(2);
    const next = await slot.take();
    expect(next.frameId).toBe(5);
    next.release();
    expect(ring.freeCount).toBe(3);
  });
});

describe('FrameRing', () => {
  it('never hands out a retained buffer and rejects bad sizes', () => {
    expect(() => new FrameRing(1)).toThrow(/ringSize/);
    expect(() => new FrameRing(17)).toThrow(/ringSize/);
    const ring = new FrameRing(2, true);
    ring.configure(6);
    const a = ring.acquire();
    const b = ring.acquire();
    expect(a && b && a.rgb !== b.rgb).toBe(true);
    expect(a?.rgb.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ring.acquire()).toBeUndefined();
    if (!a) throw new Error('unreachable');
    ring.abandon(a);
    expect(ring.acquire()).toBe(a);
    expect(() =>
      detachedFrame({ frameId: 1, captureTimeMs: 0, widthPx: 2, heightPx: 2, rgb: new Uint8Array(6) }),
    ).toThrow(/needs 12/);
  });
});

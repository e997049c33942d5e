/**
 * Fair sharing of one inference worker between several cameras.
 *
 * Each camera has a slot of one pending item (newest only: a newer frame replaces the waiting one,
 * and the replaced one is counted as dropped for that camera, so nothing queues). When the worker
 * has room (`capacity` items in flight in all), the next camera in a fixed cyclic order after the
 * one served last that has an item pending and none in flight is served. A camera never has two
 * items in flight: its pipeline handles one frame at a time, and a second one would only wait
 * there, older than the one the camera could send later.
 *
 * Fairness: when every camera always has an item pending and items finish in the order they were
 * served (one FIFO worker), service is strictly cyclic, so over any window of n grants each of k
 * cameras gets ⌊n/k⌋ or ⌈n/k⌉. A camera with nothing pending is skipped and takes nothing from the
 * others.
 */

export interface CameraShareStats {
  /** Items offered. */
  offered: number;
  /** Items handed out for processing. */
  taken: number;
  /** Items replaced by a newer one (or removed with the camera) before their turn. */
  dropped: number;
}

export interface Grant<T> {
  camera: string;
  item: T;
}

interface Entry<T> {
  readonly camera: string;
  pending: { item: T } | null;
  inFlight: boolean;
  readonly stats: CameraShareStats;
}

export class FairShare<T> {
  private readonly entries: Entry<T>[] = [];
  /** Index in `entries` of the camera served last; -1 before the first grant. */
  private lastServed = -1;
  private inFlightCount = 0;

  /** `capacity`: items in processing at once (1 = the worker runs one frame at a time). */
  constructor(readonly capacity = 1) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  /** Cameras in service order. */
  get cameras(): string[] {
    return this.entries.map((e) => e.camera);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Adds a camera at the end of the cyclic order. */
  addCamera(camera: string): void {
    if (this.find(camera)) throw new RangeError(`camera '${camera}' is already sharing this worker`);
    this.entries.push({
      camera,
      pending: null,
      inFlight: false,
      stats: { offered: 0, taken: 0, dropped: 0 },
    });
  }

  /**
   * Removes a camera; its pending item (counted as dropped) is returned so the caller can free it.
   * An item of it still in flight no longer counts against the capacity.
   */
  removeCamera(camera: string): T | undefined {
    const i = this.entries.findIndex((e) => e.camera === camera);
    if (i < 0) return undefined;
    const e = this.entries[i]!;
    this.entries.splice(i, 1);
    // The camera after the removed one keeps its place as the next to be served.
    if (i <= this.lastServed) this.lastServed--;
    if (e.inFlight) this.inFlightCount--;
    if (!e.pending) return undefined;
    e.stats.dropped++;
    return e.pending.item;
  }

  /**
   * Puts `item` in the camera's slot. Returns the item it replaced (counted as dropped), which the
   * caller frees, or undefined.
   */
  offer(camera: string, item: T): T | undefined {
    const e = this.require(camera);
    e.stats.offered++;
    const replaced = e.pending;
    e.pending = { item };
    if (!replaced) return undefined;
    e.stats.dropped++;
    return replaced.item;
  }

  hasPending(camera: string): boolean {
    return this.require(camera).pending !== null;
  }

  /** The next item to process, or null when the worker is full or no camera is eligible. */
  next(): Grant<T> | null {
    if (this.inFlightCount >= this.capacity) return null;
    const n = this.entries.length;
    for (let step = 1; step <= n; step++) {
      const i = (this.lastServed + step) % n;
      const e = this.entries[i]!;
      if (!e.pending || e.inFlight) continue;
      const { item } = e.pending;
      e.pending = null;
      e.inFlight = true;
      e.stats.taken++;
      this.inFlightCount++;
      this.lastServed = i;
      return { camera: e.camera, item };
    }
    return null;
  }

  /** The camera's item in flight is done. False when it had none (or the camera was removed). */
  finish(camera: string): boolean {
    const e = this.find(camera);
    if (!e || !e.inFlight) return false;
    e.inFlight = false;
    this.inFlightCount--;
    return true;
  }

  stats(camera: string): CameraShareStats {
    return { ...this.require(camera).stats };
  }

  private find(camera: string): Entry<T> | undefined {
    return this.entries.find((e) => e.camera === camera);
  }

  private require(camera: string): Entry<T> {
    const e = this.find(camera);
    if (!e) throw new RangeError(`camera '${camera}' is not sharing this worker`);
    return e;
  }
}

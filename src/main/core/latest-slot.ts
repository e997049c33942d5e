/**
 * The newest-only slot of size 1 between a producer that must never wait (the pipeline) and one
 * slow consumer (a PLC link, a serial port). A new value replaces the one still waiting, which
 * counts as dropped; the value being written (in flight) is never replaced, so at most one write
 * is in flight and at most one value waits behind it. Memory is bounded whatever the rates.
 */
export class LatestSlot<T> {
  private waiting: { value: T } | null = null;
  private sending: { value: T } | null = null;
  private droppedCount = 0;

  /** Stores `value` for the next write; a value still waiting is replaced and counted as dropped. */
  offer(value: T): void {
    if (this.waiting) this.droppedCount++;
    this.waiting = { value };
  }

  /** The value waiting to be written, if any. */
  get pending(): T | undefined {
    return this.waiting?.value;
  }

  get hasPending(): boolean {
    return this.waiting !== null;
  }

  get inFlight(): boolean {
    return this.sending !== null;
  }

  /** Values replaced before they could be written. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Hands out the waiting value for writing (it is then in flight); undefined when nothing waits or
   * a write is already in flight.
   */
  take(): T | undefined {
    if (this.sending || !this.waiting) return undefined;
    this.sending = this.waiting;
    this.waiting = null;
    return this.sending.value;
  }

  /** The value in flight reached the peer. */
  written(): void {
    this.sending = null;
  }

  /**
   * The value in flight did not reach the peer. It waits again for the next try, unless a newer
   * value arrived meanwhile: then it is dropped, as writing it later would go backwards.
   */
  failed(): void {
    const s = this.sending;
    this.sending = null;
    if (!s) return;
    if (this.waiting) this.droppedCount++;
    else this.waiting = s;
  }
}

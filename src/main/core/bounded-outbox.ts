/**
 * A FIFO with a fixed capacity for messages waiting on a link that is down. When full, the oldest
 * message is dropped and counted, so memory stays bounded and the newest news gets through.
 */
export class BoundedOutbox<T> {
  private items: T[] = [];
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`outbox capacity must be a whole number >= 1 (got ${capacity})`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Messages dropped since creation. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    this.items.push(item);
    this.trim();
  }

  /**
   * Put messages back at the head (in their order), e.g. those in flight when the link died: they
   * are older than anything queued, so they are the first to go if that overflows.
   */
  requeue(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items];
    this.trim();
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  private trim(): void {
    const excess = this.items.length - this.capacity;
    if (excess > 0) {
      this.items.splice(0, excess);
      this.droppedCount += excess;
    }
  }
}

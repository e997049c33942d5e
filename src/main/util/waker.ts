/**
 * A wait that ends early on wake(): the idle step of a sink's write loop. A wake() with nobody
 * waiting is remembered, so the next wait() returns at once. One waiter at a time.
 */
export class Waker {
  private resolveFn: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private woken = false;

  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolveFn = resolve;
      this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
    });
  }

  wake(): void {
    if (this.resolveFn) this.fire();
    else this.woken = true;
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const r = this.resolveFn;
    this.resolveFn = null;
    this.woken = false;
    r?.();
  }
}

/**
 * Counting-line counters on disk, so they survive a restart. Each save replaces the file
 * atomically (temp file + rename): a crash leaves the previous or the new counters, never half.
 * Saves never queue: while one is being written only the newest pending value is kept, and it is
 * written next.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LineCount } from '../../shared/frame';
import { MAX_COUNTING_LINES } from '../core/counting';
import { writeFileAtomic } from './atomic-file';

const count = z.number().int().min(0).max(2147483647);

const countersFileSchema = z
  .object({
    version: z.literal(1),
    savedAtMs: z.number().finite(),
    counts: z
      .array(z.object({ line: z.string().min(1).max(32), in: count, out: count }).strict())
      .max(MAX_COUNTING_LINES),
  })
  .strict();

export class CountersStore {
  private writing: Promise<void> | null = null;
  private pending: readonly LineCount[] | null = null;
  private lastError: Error | null = null;

  constructor(
    readonly path: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The saved counters; [] when there is no file yet. A damaged file is an error naming it. */
  async load(): Promise<LineCount[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`counters file ${this.path}: cannot read it: ${(e as Error).message}`, { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`counters file ${this.path} is not valid JSON; move it away to start from zero`);
    }
    const r = countersFileSchema.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new Error(`counters file ${this.path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    return r.data.counts.map((c) => ({ ...c }));
  }

  /** Schedules a save of these counters (newest wins); returns at once. */
  save(counts: readonly LineCount[]): void {
    this.pending = counts.map((c) => ({ ...c }));
    if (!this.writing) this.writing = this.drain();
  }

  /** Resolves when every scheduled save is on disk; rejects with the last write error, if any. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    const e = this.lastError;
    this.lastError = null;
    if (e) throw e;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const counts = this.pending;
        this.pending = null;
        const body = { version: 1, savedAtMs: this.nowMs(), counts };
        try {
          await writeFileAtomic(this.path, `${JSON.stringify(body)}\n`);
          this.lastError = null;
        } catch (e) {
          this.lastError = new Error(`counters file ${this.path}: cannot write it: ${(e as Error).message}`);
        }
      }
    } finally {
      this.writing = null;
    }
  }
}

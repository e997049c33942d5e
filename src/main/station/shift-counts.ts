/**
 * Part counts per shift, kept on the station (shift-counts.json, replaced atomically; saves never
 * queue: while one is written only the newest state waits). Fed with every processed frame's
 * counting-line crossings, each counted in the shift of the frame's capture time under the class
 * of the track that crossed. Bounded by the schedule's keepDays (at least 30).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { FrameResult } from '../../shared/frame';
import type { ShiftCountsView, ShiftSchedule } from '../../shared/shift-counts';
import { ShiftTally, type ClassCrossing, type ShiftRecord } from '../core/shifts';
import { writeFileAtomic } from '../storage/atomic-file';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const recordSchema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  shift: z.string().min(1).max(64),
  startMs: z.number().finite(),
  endMs: z.number().finite(),
  lines: z.record(z.string(), z.record(z.string(), z.object({ in: count, out: count }).strict())),
});
const fileSchema = z.object({ version: z.literal(1), shifts: z.array(recordSchema).max(20_000) }).strict();

/** A class name for a crossing whose track is not among the frame's detections (should not happen). */
const UNKNOWN_CLASS = '?';

export class ShiftCounts {
  private tally!: ShiftTally;
  private writing: Promise<void> | null = null;
  private dirty = false;

  constructor(
    readonly path: string,
    private readonly stationTimeZone: string,
    private readonly log: (line: string) => void,
    private readonly nowMs: () => number,
  ) {}

  /** Reads the saved counts; a damaged file is kept aside in the log's words and counting starts over. */
  async load(schedule: ShiftSchedule): Promise<void> {
    let records: ShiftRecord[] = [];
    const text = await readFile(this.path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') this.log(`shift counts ${this.path}: cannot read it: ${e.message}`);
      return null;
    });
    if (text !== null) {
      try {
        const r = fileSchema.safeParse(JSON.parse(text));
        if (r.success) records = r.data.shifts;
        else
          this.log(
            `shift counts ${this.path} ignored: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`,
          );
      } catch (e) {
        this.log(`shift counts ${this.path} ignored: ${(e as Error).message}`);
      }
    }
    this.tally = new ShiftTally(schedule, this.stationTimeZone, records);
    if (this.tally.prune(this.nowMs())) this.save();
  }

  setSchedule(schedule: ShiftSchedule): void {
    this.tally.setSchedule(schedule);
  }

  observe(r: FrameResult): void {
    if (!r.crossings || r.crossings.length === 0) return;
    const classOf = new Map(r.detections.map((d) => [d.trackId ?? -1, d.className]));
    const crossings: ClassCrossing[] = r.crossings.map((c) => ({
      line: c.line,
      direction: c.direction,
      className: classOf.get(c.trackId) ?? UNKNOWN_CLASS,
    }));
    this.tally.add(r.captureTimeMs, crossings);
    this.tally.prune(this.nowMs());
    this.save();
  }

  view(schedule: ShiftSchedule): ShiftCountsView {
    return {
      schedule,
      timeZone: this.tally.timeZone,
      current: this.tally.current(this.nowMs()),
      rows: this.tally.rows(),
    };
  }

  private save(): void {
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const body = JSON.stringify({ version: 1, shifts: this.tally.records() });
        await writeFileAtomic(this.path, `${body}\n`).catch((e: unknown) =>
          this.log(`shift counts ${this.path}: cannot write it: ${(e as Error).message}`),
        );
      }
    } finally {
      this.writing = null;
    }
  }

  /** Resolves when the newest counts are on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

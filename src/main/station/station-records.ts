/**
 * What the station keeps on disk for the operator: the alarm journal (append-only JSON lines,
 * alarm-journal.jsonl, rotated to .1 past a size limit) and the per-minute rate history
 * (history.json, replaced atomically each minute). Both survive a restart.
 */
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Alarm } from '../../shared/api';
import { foldJournal, journalEvents, type JournalEvent, type JournalRow } from '../../shared/alarm-journal';
import { HistoryRing, type HistoryMinute, type HistorySample } from '../../shared/history-ring';
import { writeFileAtomic } from '../storage/atomic-file';

const JOURNAL_MAX_BYTES = 4 * 1024 * 1024;
/** Rows a reader gets at most (newest first). */
export const JOURNAL_MAX_ROWS = 2000;

const EventSchema = z.object({
  run: z.number(),
  id: z.number().int(),
  type: z.enum(['raised', 'cleared', 'acknowledged']),
  atMs: z.number(),
  kind: z.string(),
  message: z.string(),
  by: z.string().optional(),
});

const MinuteSchema = z.object({
  minuteMs: z.number(),
  fps: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  drops: z.number().nullable(),
});

export class AlarmJournal {
  private prev: Alarm[] = [];
  private chain: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly run: number,
    private readonly log: (line: string) => void,
  ) {
    this.path = join(dataDir, 'alarm-journal.jsonl');
  }

  /** Records what changed since the last list (called with every alarm list the station publishes). */
  observe(list: Alarm[]): void {
    const events = journalEvents(this.run, this.prev, list);
    this.prev = list;
    if (events.length === 0) return;
    const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    this.chain = this.chain
      .then(async () => {
        const size = await stat(this.path).then(
          (s) => s.size,
          () => 0,
        );
        if (size > JOURNAL_MAX_BYTES) await rename(this.path, `${this.path}.1`);
        // A fresh station's first alarm can come before anything else has created its data folder.
        await mkdir(dirname(this.path), { recursive: true });
        await appendFile(this.path, text);
      })
      .catch((e: unknown) => this.log(`alarm journal not written: ${(e as Error).message}`));
  }

  /** All rows (this file and the rotated one), newest first; unreadable lines are skipped. */
  async rows(): Promise<JournalRow[]> {
    await this.chain;
    const events: JournalEvent[] = [];
    for (const p of [`${this.path}.1`, this.path]) {
      const text = await readFile(p, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const e = EventSchema.safeParse(JSON.parse(line));
          if (e.success) events.push(e.data as JournalEvent);
        } catch {
          // A line torn by a crash mid-append: the rest of the journal still counts.
        }
      }
    }
    return foldJournal(events).slice(0, JOURNAL_MAX_ROWS);
  }

  flush(): Promise<void> {
    return this.chain;
  }
}

export class RateHistory {
  private ring = new HistoryRing();
  private chain: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.path = join(dataDir, 'history.json');
  }

  async load(): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => null);
    if (text === null) return;
    try {
      const parsed = z.array(MinuteSchema).safeParse(JSON.parse(text));
      if (parsed.success) this.ring = new HistoryRing(undefined, parsed.data);
      else this.log(`history ${this.path} ignored: not a list of minutes`);
    } catch (e) {
      this.log(`history ${this.path} ignored: ${(e as Error).message}`);
    }
  }

  add(s: HistorySample): void {
    if (this.ring.add(s) === null) return;
    const text = JSON.stringify(this.ring.list());
    this.chain = this.chain
      .then(() => writeFileAtomic(this.path, text))
      .catch((e: unknown) => this.log(`history not written: ${(e as Error).message}`));
  }

  list(): HistoryMinute[] {
    return this.ring.list();
  }

  flush(): Promise<void> {
    return this.chain;
  }
}

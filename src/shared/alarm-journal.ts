/**
 * The alarm journal's events and their folding into one row per alarm. Pure: the station diffs
 * successive alarm lists into events, a file adapter appends them as JSON lines, and reading
 * folds the lines back into rows (raised, cleared, acknowledged, by whom).
 */
import type { Alarm, AlarmKind } from './api';

export type JournalEventType = 'raised' | 'cleared' | 'acknowledged';

export interface JournalEvent {
  /** The station run (its start time): alarm ids restart with each run. */
  run: number;
  id: number;
  type: JournalEventType;
  atMs: number;
  kind: AlarmKind;
  message: string;
  by?: string;
}

export interface JournalRow {
  /** `run:id`, unique across restarts. */
  key: string;
  kind: AlarmKind;
  message: string;
  raisedAtMs: number;
  clearedAtMs: number | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
}

/** What changed between two alarm lists, as journal events in time order. */
export function journalEvents(run: number, prev: readonly Alarm[], next: readonly Alarm[]): JournalEvent[] {
  const before = new Map(prev.map((a) => [a.id, a]));
  const out: JournalEvent[] = [];
  for (const a of next) {
    const p = before.get(a.id);
    const base = { run, id: a.id, kind: a.kind, message: a.message };
    if (!p) out.push({ ...base, type: 'raised', atMs: a.raisedAtMs });
    if ((!p || p.active) && !a.active)
      out.push({ ...base, type: 'cleared', atMs: a.clearedAtMs ?? a.raisedAtMs });
    if ((!p || !p.acknowledged) && a.acknowledged)
      out.push({
        ...base,
        type: 'acknowledged',
        atMs: a.acknowledgedAtMs ?? a.raisedAtMs,
        by: a.acknowledgedBy ?? undefined,
      });
  }
  return out.sort((x, y) => x.atMs - y.atMs);
}

/** One row per alarm, newest raised first. Events of an alarm whose raise is missing are skipped. */
export function foldJournal(events: readonly JournalEvent[]): JournalRow[] {
  const rows = new Map<string, JournalRow>();
  for (const e of events) {
    const key = `${e.run}:${e.id}`;
    let row = rows.get(key);
    if (e.type === 'raised') {
      row = {
        key,
        kind: e.kind,
        message: e.message,
        raisedAtMs: e.atMs,
        clearedAtMs: null,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      };
      rows.set(key, row);
      continue;
    }
    if (!row) continue;
    row.message = e.message;
    if (e.type === 'cleared') row.clearedAtMs = e.atMs;
    else {
      row.acknowledgedAtMs = e.atMs;
      row.acknowledgedBy = e.by ?? null;
    }
  }
  return [...rows.values()].sort((a, b) => b.raisedAtMs - a.raisedAtMs);
}

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The rows as CSV (times as ISO 8601 UTC), header first. */
export function journalCsv(rows: readonly JournalRow[]): string {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const lines = [['kind', 'message', 'raised', 'cleared', 'acknowledged', 'acknowledged_by'].join(',')];
  for (const r of rows)
    lines.push(
      [r.kind, r.message, iso(r.raisedAtMs), iso(r.clearedAtMs), iso(r.acknowledgedAtMs), r.acknowledgedBy]
        .map(csvCell)
        .join(','),
    );
  return lines.join('\n') + '\n';
}

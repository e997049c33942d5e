/** The alarm journal on real files: a fresh station's first alarm is kept. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/shared/api';
import { AlarmJournal } from '../../src/main/station/station-records';

const root = mkdtempSync(join(tmpdir(), 'vs-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('alarm journal', () => {
  it('keeps the first alarm of a station whose data folder does not exist yet', async () => {
    const dataDir = join(root, 'fresh', 'station');
    const logs: string[] = [];
    const journal = new AlarmJournal(dataDir, 7, (l) => logs.push(l));
    const alarm: Alarm = {
      id: 1,
      kind: 'plcDown',
      message: 'PLC 10.0.0.9 not reachable',
      raisedAtMs: 1_000,
      active: true,
      acknowledged: false,
      clearedAtMs: null,
      acknowledgedAtMs: null,
      acknowledgedBy: null,
    };
    journal.observe([alarm]);
    await journal.flush();
    expect(logs).toEqual([]);
    expect(existsSync(join(dataDir, 'alarm-journal.jsonl'))).toBe(true);
    expect(await journal.rows()).toEqual([
      {
        key: '7:1',
        kind: 'plcDown',
        message: 'PLC 10.0.0.9 not reachable',
        raisedAtMs: 1_000,
        clearedAtMs: null,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      },
    ]);
  });
});

/** The hash-chained audit log on real files: append, verify, tamper, query, CSV. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, auditCsv, GENESIS_HASH, verifyAuditFile } from '../../src/main/audit/audit-log';

const root = mkdtempSync(join(tmpdir(), 'vs-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let k = 0;

async function logWith(n: number, path = join(root, `audit-${k++}.log`)) {
  let t = Date.UTC(2026, 10, 27, 8, 0, 0);
  const log = await AuditLog.open(path, { nowMs: () => (t += 60_000) });
  for (let i = 0; i < n; i++)
    await log.append({
      user: i % 2 ? 'eng' : 'op',
      role: i % 2 ? 'engineer' : 'operator',
      client: 'ws 10.0.0.5',
      method: i % 3 === 0 ? 'setParams' : 'acknowledgeAlarm',
      before: { confThreshold: 0.25 + i / 100 },
      after: { confThreshold: 0.26 + i / 100 },
    });
  return { path, log };
}

const fileLines = (p: string) => readFileSync(p, 'utf8').trimEnd().split('\n');

describe('audit log', () => {
  it('chains every line to the one before; verify accepts an untouched log', async () => {
    const { path, log } = await logWith(5);
    const ls = fileLines(path).map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string });
    expect(ls.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(ls[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < 5; i++) expect(ls[i]!.prevHash).toBe(ls[i - 1]!.hash);
    expect(await log.verify()).toEqual({ ok: true, entries: 5, lastHash: ls[4]!.hash });
    // Reopened, it continues the same chain.
    const again = await AuditLog.open(path);
    const e = await again.append({
      user: 'admin',
      role: 'administrator',
      client: 'ipc',
      method: 'setPlc',
      before: null,
      after: { uri: 'sim' },
    });
    expect([e.seq, e.prevHash]).toEqual([6, ls[4]!.hash]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, entries: 6 });
  });

  it('detects a changed line with its number', async () => {
    const { path } = await logWith(5);
    const ls = fileLines(path);
    ls[2] = ls[2]!.replace('"after":{"confThreshold":0.28}', '"after":{"confThreshold":0.9}');
    writeFileSync(path, ls.join('\n') + '\n');
    expect(await verifyAuditFile(path)).toEqual({
      ok: false,
      entries: 2,
      line: 3,
      kind: 'hashMismatch',
      message: 'line 3 was changed after it was written (its hash does not match)',
    });
  });

  it('detects a removed line and swapped lines', async () => {
    const { path } = await logWith(5);
    const ls = fileLines(path);
    writeFileSync(path, [...ls.slice(0, 1), ...ls.slice(2)].join('\n') + '\n');
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 2, kind: 'brokenChain' });
    writeFileSync(path, [ls[0], ls[2], ls[1], ls[3], ls[4]].join('\n') + '\n');
    expect(await verifyAuditFile(path)).toMatchObject({
      ok: false,
      line: 2,
      kind: 'brokenChain',
      message: 'line 2 does not follow the line before it (a line was removed, inserted or moved)',
    });
    writeFileSync(path, ['garbage', ...ls].join('\n') + '\n');
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 1, kind: 'malformed' });
  });

  it('detects lines cut off the end through the head file', async () => {
    const { path } = await logWith(4);
    writeFileSync(path, fileLines(path).slice(0, 2).join('\n') + '\n');
    expect(await verifyAuditFile(path)).toEqual({
      ok: false,
      entries: 2,
      line: 3,
      kind: 'truncated',
      message: 'the log ends at entry 2 but entry 4 was written: lines were cut off the end',
    });
  });

  it('query by user, method and time range; CSV export', async () => {
    const { log } = await logWith(6);
    const t0 = Date.UTC(2026, 10, 27, 8, 0, 0);
    expect((await log.query({ user: 'eng' })).map((e) => e.seq)).toEqual([2, 4, 6]);
    expect((await log.query({ method: 'setParams' })).map((e) => e.seq)).toEqual([1, 4]);
    // Entry i is at t0 + i minutes; [t0 + 2 min, t0 + 4 min) holds entries 2 and 3.
    expect((await log.query({ fromMs: t0 + 2 * 60_000, toMs: t0 + 4 * 60_000 })).map((e) => e.seq)).toEqual([
      2, 3,
    ]);
    expect((await log.query({ limit: 2 })).map((e) => e.seq)).toEqual([5, 6]);
    const csv = await log.exportCsv({ user: 'op', method: 'setParams' });
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe('seq,time,user,role,client,method,target,before,after,hash');
    expect(rows[1]).toMatch(
      /^1,"2026-11-27T08:01:00.000Z","op","operator","ws 10.0.0.5","setParams","","{""confThreshold"":0.25}","{""confThreshold"":0.26}","[0-9a-f]{64}"$/,
    );
    expect(rows).toHaveLength(3); // header, one row, final empty string after the last CRLF
  });

  it('CSV cells that a spreadsheet would run as formulas are defused', () => {
    const csv = auditCsv([
      {
        seq: 1,
        atMs: 0,
        user: '=cmd()',
        role: null,
        client: '+x',
        method: 'm',
        target: null,
        before: '-1',
        after: '@a',
        prevHash: GENESIS_HASH,
        hash: 'h',
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      `1,"1970-01-01T00:00:00.000Z","'=cmd()","","'+x","m","","'-1","'@a","h"`,
    );
  });

  it("writes its first entry into a data folder that does not exist yet (a fresh station's first change)", async () => {
    const { path, log } = await logWith(1, join(root, `fresh-${k++}`, 'station', 'audit.log'));
    expect(fileLines(path).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1]);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it('bounds a huge before/after value', async () => {
    const { log } = await logWith(0);
    const e = await log.append({
      user: 'eng',
      role: 'engineer',
      client: 'ipc',
      method: 'saveRecipe',
      before: 'x'.repeat(20_000),
      after: null,
    });
    expect(e.before).toEqual({ $truncated: true, chars: 20_002 });
    expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
  });
});

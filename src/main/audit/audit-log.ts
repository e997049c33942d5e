/**
 * The audit trail: who changed what, when, from which client, with the value before and after.
 *
 * An append-only file of JSON lines forming a hash chain: each line carries `prevHash` (the hash
 * of the line before; 64 zeros for the first) and `hash` = sha256(prevHash + the line's text up to
 * its hash field). Editing, removing or reordering any line breaks the chain at that line, and
 * verify() names it. A side file `<log>.head` holds the last sequence number and hash, so cutting
 * lines off the end is detected too. (Whoever can write both files can forge both; the chain makes
 * tampering evident, it does not prevent it. Ship the log off the station for that.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { writeFileAtomic } from '../storage/atomic-file';

export const GENESIS_HASH = '0'.repeat(64);
/** A before/after value longer than this (as JSON) is replaced by a note of its size. */
export const MAX_VALUE_CHARS = 16 * 1024;

export interface AuditInput {
  /** User name, or `plc` / `system` for changes nobody typed. */
  user: string;
  role: string | null;
  /** e.g. `ipc`, `ws 192.168.0.12`, `plc`. */
  client: string;
  /** API method (or event) that made the change. */
  method: string;
  /** What was changed, when the method alone does not say (a recipe id, a user name). */
  target?: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  seq: number;
  atMs: number;
  user: string;
  role: string | null;
  client: string;
  method: string;
  target: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

const EntrySchema = z
  .object({
    seq: z.number().int().min(1),
    atMs: z.number().int().min(0),
    user: z.string(),
    role: z.string().nullable(),
    client: z.string(),
    method: z.string(),
    target: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type AuditProblemKind = 'malformed' | 'hashMismatch' | 'brokenChain' | 'sequenceGap' | 'truncated';

export type VerifyResult =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; entries: number; line: number; kind: AuditProblemKind; message: string };

export interface AuditQuery {
  user?: string;
  method?: string;
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
  /** Most recent matches kept (default 1000, at most 100 000). */
  limit?: number;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"}$/;

function bounded(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  return text.length > MAX_VALUE_CHARS ? { $truncated: true, chars: text.length } : value;
}

/** Checks one line against the chain so far; the parsed entry, or the problem. */
function checkLine(
  line: string,
  lineNo: number,
  expect: { prevHash: string; seq: number },
): { entry: AuditEntry } | { kind: AuditProblemKind; message: string } {
  const m = HASH_SUFFIX.exec(line);
  let parsed: z.ZodSafeParseResult<z.output<typeof EntrySchema>> | null;
  try {
    parsed = EntrySchema.safeParse(JSON.parse(line));
  } catch {
    parsed = null;
  }
  if (!m || !parsed?.success) return { kind: 'malformed', message: `line ${lineNo} is not an audit entry` };
  const entry = parsed.data as AuditEntry;
  const body = line.slice(0, m.index) + '}';
  if (sha256(entry.prevHash + body) !== m[1])
    return {
      kind: 'hashMismatch',
      message: `line ${lineNo} was changed after it was written (its hash does not match)`,
    };
  if (entry.prevHash !== expect.prevHash)
    return {
      kind: 'brokenChain',
      message: `line ${lineNo} does not follow the line before it (a line was removed, inserted or moved)`,
    };
  if (entry.seq !== expect.seq)
    return { kind: 'sequenceGap', message: `line ${lineNo} has number ${entry.seq}, expected ${expect.seq}` };
  return { entry };
}

async function* lines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const l of rl) if (l !== '') yield l;
  } finally {
    rl.close();
    stream.destroy();
  }
}

const Head = z.object({ seq: z.number().int().min(0), hash: z.string() }).strict();

export class AuditLog {
  private seq = 0;
  private lastHash = GENESIS_HASH;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly nowMs: () => number,
  ) {}

  get headPath(): string {
    return `${this.path}.head`;
  }

  /**
   * Opens (or creates) a log and continues its chain. Refuses a log whose last line does not parse,
   * so a damaged log is never extended as if it were whole.
   */
  static async open(path: string, opts: { nowMs?: () => number } = {}): Promise<AuditLog> {
    const log = new AuditLog(path, opts.nowMs ?? Date.now);
    const last = await lastLine(path);
    if (last !== null) {
      const m = HASH_SUFFIX.exec(last);
      let seq: unknown;
      try {
        seq = (JSON.parse(last) as { seq?: unknown }).seq;
      } catch {
        seq = undefined;
      }
      if (!m || typeof seq !== 'number')
        throw new Error(
          `audit log ${path}: its last line is not an audit entry; run verify and keep the file`,
        );
      log.seq = seq;
      log.lastHash = m[1]!;
    }
    return log;
  }

  /** Appends one entry; resolves once it is on disk. Appends are serialised. */
  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.chain.then(async () => {
      const seq = this.seq + 1;
      const prevHash = this.lastHash;
      const fields = {
        seq,
        atMs: this.nowMs(),
        user: input.user,
        role: input.role,
        client: input.client,
        method: input.method,
        target: input.target ?? null,
        before: bounded(input.before),
        after: bounded(input.after),
        prevHash,
      };
      const body = JSON.stringify(fields);
      const hash = sha256(prevHash + body);
      const line = `${body.slice(0, -1)},"hash":"${hash}"}`;
      // A fresh station's data folder may not exist yet when its first change is audited: the
      // settings written with the same change create it, but nothing orders the two writes.
      await mkdir(dirname(this.path), { recursive: true });
      const fh = await open(this.path, 'a');
      try {
        await fh.appendFile(line + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      this.seq = seq;
      this.lastHash = hash;
      await writeFileAtomic(this.headPath, JSON.stringify({ seq, hash }) + '\n');
      return { ...fields, hash } as AuditEntry;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** Walks the whole chain; the first bad line with its number (1-based) and what is wrong. */
  async verify(): Promise<VerifyResult> {
    await this.chain;
    return verifyAuditFile(this.path);
  }

  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.chain;
    const limit = Math.min(Math.max(q.limit ?? 1000, 1), 100_000);
    const out: AuditEntry[] = [];
    if (!(await exists(this.path))) return out;
    for await (const l of lines(this.path)) {
      let e: AuditEntry;
      try {
        e = JSON.parse(l) as AuditEntry;
      } catch {
        continue; // verify() reports it; a query shows what can be read
      }
      if (q.user !== undefined && e.user !== q.user) continue;
      if (q.method !== undefined && e.method !== q.method) continue;
      if (q.fromMs !== undefined && e.atMs < q.fromMs) continue;
      if (q.toMs !== undefined && e.atMs >= q.toMs) continue;
      out.push(e);
      if (out.length > limit) out.shift();
    }
    return out;
  }

  async exportCsv(q: AuditQuery = {}): Promise<string> {
    return auditCsv(await this.query(q));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function lastLine(path: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return null;
    // An entry is bounded (two values of MAX_VALUE_CHARS plus small fields): this tail holds it.
    const chunk = Math.min(size, 4 * MAX_VALUE_CHARS + 64 * 1024);
    const buf = Buffer.alloc(chunk);
    await fh.read(buf, 0, chunk, size - chunk);
    const text = buf.toString('utf8').replace(/\n+$/, '');
    return text.slice(text.lastIndexOf('\n') + 1);
  } finally {
    await fh.close();
  }
}

/** Verifies a log file (and its head file, when there is one). */
export async function verifyAuditFile(path: string): Promise<VerifyResult> {
  let expect = { prevHash: GENESIS_HASH, seq: 1 };
  let n = 0;
  if (await exists(path)) {
    for await (const l of lines(path)) {
      n++;
      const r = checkLine(l, n, expect);
      if ('kind' in r) return { ok: false, entries: n - 1, line: n, kind: r.kind, message: r.message };
      expect = { prevHash: r.entry.hash, seq: r.entry.seq + 1 };
    }
  }
  let headText: string | null;
  try {
    headText = await readFile(`${path}.head`, 'utf8');
  } catch {
    headText = null;
  }
  if (headText !== null) {
    let head: z.output<typeof Head> | null;
    try {
      head = Head.parse(JSON.parse(headText));
    } catch {
      head = null;
    }
    const lastSeq = expect.seq - 1;
    // The head is written just after each line, so after a crash it may lag by one; never lead.
    const bad = !head
      ? 'the head file is damaged'
      : head.seq > lastSeq
        ? `the log ends at entry ${lastSeq} but entry ${head.seq} was written: lines were cut off the end`
        : head.seq === lastSeq && lastSeq > 0 && head.hash !== expect.prevHash
          ? `entry ${lastSeq} is not the one that was written last: the end of the log was replaced`
          : null;
    if (bad) return { ok: false, entries: n, line: n + 1, kind: 'truncated', message: bad };
  }
  return { ok: true, entries: n, lastHash: expect.prevHash };
}

/** A CSV cell: quoted, and a leading = + - @ defused so a spreadsheet shows it as text. */
function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'time',
  'user',
  'role',
  'client',
  'method',
  'target',
  'before',
  'after',
  'hash',
];

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) =>
    [
      e.seq,
      new Date(e.atMs).toISOString(),
      e.user,
      e.role,
      e.client,
      e.method,
      e.target,
      e.before,
      e.after,
      e.hash,
    ]
      .map((v) => (typeof v === 'number' ? String(v) : csvCell(v)))
      .join(','),
  );
  return [AUDIT_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

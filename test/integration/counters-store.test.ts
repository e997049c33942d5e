import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountersStore } from '../../src/main/storage/counters-store';

const dir = mkdtempSync(join(tmpdir(), 'vs-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CountersStore', () => {
  it('starts empty, saves atomically (no temp file left) and loads what it saved', async () => {
    const path = join(dir, 'a', 'counters.json');
    const store = new CountersStore(path, () => 1234);
    expect(await store.load()).toEqual([]);
    store.save([{ line: 'gate', in: 1, out: 0 }]);
    store.save([{ line: 'gate', in: 2, out: 0 }]);
    store.save([
      { line: 'gate', in: 3, out: 1 },
      { line: 'exit', in: 0, out: 7 },
    ]);
    await store.flush();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      savedAtMs: 1234,
      counts: [
        { line: 'gate', in: 3, out: 1 },
        { line: 'exit', in: 0, out: 7 },
      ],
    });
    expect(readdirSync(join(dir, 'a'))).toEqual(['counters.json']);
    expect(await new CountersStore(path).load()).toEqual([
      { line: 'gate', in: 3, out: 1 },
      { line: 'exit', in: 0, out: 7 },
    ]);
  });

  it('refuses a damaged file with a message naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version":1,');
    await expect(new CountersStore(bad).load()).rejects.toThrow(`counters file ${bad} is not valid JSON`);
    writeFileSync(bad, JSON.stringify({ version: 1, savedAtMs: 0, counts: [{ line: 'g', in: -1, out: 0 }] }));
    await expect(new CountersStore(bad).load()).rejects.toThrow(`counters file ${bad}: counts.0.in:`);
  });

  it('reports a failed write on flush', async () => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    const store = new CountersStore(join(blocker, 'counters.json'));
    store.save([{ line: 'g', in: 1, out: 1 }]);
    await expect(store.flush()).rejects.toThrow(/cannot write it/);
  });
});

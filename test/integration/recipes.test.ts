/** The recipe store on a temporary folder (real files, atomic writes). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecipeText, RECIPE_VERSION, slugOf } from '../../src/main/core/recipe';
import { RecipeError, RecipeStore } from '../../src/main/storage/recipes';

const root = mkdtempSync(join(tmpdir(), 'vs-recipes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function fresh(): { store: RecipeStore; dir: string } {
  const dir = join(root, `data-${n++}`, 'recipes');
  let t = 1_000;
  let s = 0;
  return { store: new RecipeStore(dir, { nowMs: () => (t += 1000), randomSuffix: () => `r${++s}` }), dir };
}

async function rejection(p: Promise<unknown>): Promise<RecipeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RecipeError);
    return e as RecipeError;
  }
  throw new Error('expected a RecipeError');
}

const full = {
  name: 'Bolts M8',
  approved: true,
  modelId: 'classic',
  params: { confThreshold: 0.4, iouThreshold: 0.5 },
  classLimits: { classes: { bolt: { confThreshold: 0.6, minArea: 100 } }, othersEnabled: false },
  zones: [
    {
      kind: 'include' as const,
      pointsPx: [
        [0, 0],
        [100, 0],
        [100, 80],
      ] as [number, number][],
    },
  ],
  lines: [{ name: 'exit', p1: [0, 50] as [number, number], p2: [640, 50] as [number, number] }],
  calibration: { homographyPxToMm: [0.5, 0, 0, 0, 0.5, 0, 0, 0, 1], points: [], rmsMm: 0.12 },
  plc: { slot: 3 },
  recording: { onlyWithDetections: true, maxMinutes: 10 },
};

describe('recipe store', () => {
  it('create → get → list, with defaults filled and times set', async () => {
    const { store, dir } = fresh();
    const r = await store.create(full);
    expect(r).toMatchObject({ version: RECIPE_VERSION, id: 'bolts-m8', name: 'Bolts M8', createdAtMs: 2000 });
    expect(r.params).toEqual({ confThreshold: 0.4, iouThreshold: 0.5, maxDet: 300 });
    expect(r.classLimits.classes['bolt']).toMatchObject({
      enabled: true,
      confThreshold: 0.6,
      minArea: 100,
      sendToPlc: true,
    });
    expect(await store.get('bolts-m8')).toEqual(r);
    const minimal = await store.create({ name: 'Nuts' });
    expect(minimal).toMatchObject({
      approved: false,
      modelId: null,
      zones: [],
      lines: [],
      plc: { slot: null },
    });
    expect((await store.list()).recipes.map((s) => [s.id, s.name, s.slot])).toEqual([
      ['bolts-m8', 'Bolts M8', 3],
      ['nuts', 'Nuts', null],
    ]);
    // Only the two recipe files: the atomic writer left no temporary files behind.
    expect(readdirSync(dir).sort()).toEqual(['bolts-m8.json', 'nuts.json']);
  });

  it('validates before saving, with the field named', async () => {
    const { store } = fresh();
    const bad = (extra: object) => rejection(store.create({ name: 'X', ...extra } as never));
    expect((await bad({ params: { confThreshold: 2 } })).message).toBe(
      'recipe not saved: params.confThreshold: Too big: expected number to be <=1',
    );
    expect(
      (
        await bad({
          zones: [
            {
              kind: 'include',
              pointsPx: [
                [0, 0],
                [1, 1],
              ],
            },
          ],
        })
      ).message,
    ).toBe('recipe not saved: zones.0.pointsPx: a zone needs at least 3 points');
    expect((await bad({ lines: [{ name: 'a', p1: [1, 1], p2: [1, 1] }] })).message).toBe(
      'recipe not saved: lines.0: a counting line needs two different points',
    );
    expect((await bad({ calibration: { homographyPxToMm: [1, 0, 0, 0, 0, 0, 0, 0, 1] } })).message).toMatch(
      /^recipe not saved: calibration.homographyPxToMm: the homography is singular/,
    );
    expect((await bad({ recording: { nested: { a: 1 } } })).reason).toBe('invalid');
    expect((await rejection(store.create({ name: '  ' }))).message).toBe(
      'recipe not saved: name: a recipe needs a name',
    );
    expect((await store.list()).recipes).toEqual([]);
  });

  it('rename, duplicate, delete; names stay unique', async () => {
    const { store } = fresh();
    const a = await store.create(full);
    await store.create({ name: 'Other' });
    expect((await rejection(store.rename(a.id, 'Other'))).reason).toBe('nameTaken');
    const renamed = await store.rename(a.id, 'Bolts M8 long');
    expect(renamed).toMatchObject({ id: 'bolts-m8', name: 'Bolts M8 long' });
    expect(renamed.updatedAtMs).toBeGreaterThan(a.updatedAtMs);
    const copy = await store.duplicate(a.id);
    expect(copy).toMatchObject({
      id: 'bolts-m8-long-copy',
      name: 'Bolts M8 long (copy)',
      approved: false,
      plc: { slot: null },
    });
    expect(copy.classLimits).toEqual(renamed.classLimits);
    expect((await store.duplicate(a.id)).name).toBe('Bolts M8 long (copy 2)');
    await store.delete(copy.id);
    expect((await rejection(store.get(copy.id))).reason).toBe('notFound');
    expect((await rejection(store.delete(copy.id))).message).toBe("no recipe 'bolts-m8-long-copy'");
    expect((await rejection(store.get('../etc/passwd'))).reason).toBe('notFound');
  });

  it('PLC slots belong to one recipe; bySlot finds it', async () => {
    const { store } = fresh();
    const a = await store.create(full); // slot 3
    const b = await store.create({ name: 'Nuts' });
    await store.assignSlot(b.id, 3);
    expect((await store.get(a.id)).plc.slot).toBeNull();
    expect((await store.bySlot(3))?.id).toBe(b.id);
    expect(await store.bySlot(4)).toBeNull();
    expect((await rejection(store.assignSlot(b.id, 0))).message).toBe(
      'a PLC recipe slot is a whole number from 1 to 32767, got 0',
    );
    await store.assignSlot(b.id, null);
    expect(await store.bySlot(3)).toBeNull();
  });

  it('export, then import on a fresh data folder gives the same recipe', async () => {
    const { store } = fresh();
    const a = await store.create(full);
    const file = join(root, 'export-bolts.json');
    await store.exportToFile(a.id, file);
    const other = fresh();
    const imported = await other.store.importFromFile(file);
    expect(imported).toEqual({ ...a, updatedAtMs: imported.updatedAtMs });
    // Importing again: the name and id are taken, so it comes in renamed; the slot is not doubled.
    const again = await other.store.importFromFile(file);
    expect(again).toMatchObject({
      id: 'bolts-m8-imported',
      name: 'Bolts M8 (imported)',
      plc: { slot: null },
    });
    expect((await rejection(other.store.importFromFile(join(root, 'missing.json')))).reason).toBe(
      'unreadable',
    );
  });

  it('migrates a version-1 file, refuses damaged and future-version files with the reason', async () => {
    const { store, dir } = fresh();
    await store.create({ name: 'Keep' });
    writeFileSync(
      join(dir, 'old-one.json'),
      JSON.stringify({
        version: 1,
        name: 'Old',
        modelId: 'classic',
        conf: 0.3,
        classes: ['bolt'],
        homography: [2, 0, 0, 0, 2, 0, 0, 0, 1],
        plcSlot: 2,
      }),
    );
    writeFileSync(join(dir, 'broken.json'), '{"version": 2, "name": "half');
    writeFileSync(join(dir, 'future.json'), JSON.stringify({ version: 9, name: 'From the future' }));
    writeFileSync(
      join(dir, 'wrong.json'),
      JSON.stringify({ ...JSON.parse(await store.exportText('keep')), params: { confThreshold: -1 } }),
    );
    const old = await store.get('old-one');
    expect(old).toMatchObject({
      version: 2,
      id: 'old-one',
      name: 'Old',
      modelId: 'classic',
      params: { confThreshold: 0.3, iouThreshold: 0.45 },
      classLimits: { othersEnabled: false, classes: { bolt: { enabled: true } } },
      calibration: { homographyPxToMm: [2, 0, 0, 0, 2, 0, 0, 0, 1] },
      plc: { slot: 2 },
    });
    const { recipes, problems } = await store.list();
    expect(recipes.map((r) => r.id)).toEqual(['keep', 'old-one']);
    expect(problems).toEqual([
      {
        file: 'broken.json',
        reason: 'damaged',
        message: expect.stringMatching(/broken.json: not valid JSON/),
      },
      {
        file: 'future.json',
        reason: 'futureVersion',
        message: expect.stringMatching(
          /future.json: made by a newer Vision Station \(recipe version 9; this one reads up to 2\)$/,
        ),
      },
      {
        file: 'wrong.json',
        reason: 'invalid',
        message: expect.stringMatching(/wrong.json: params.confThreshold: Too small/),
      },
    ]);
    // The damaged file is left as it was (for a person to look at), not rewritten.
    expect(readFileSync(join(dir, 'broken.json'), 'utf8')).toBe('{"version": 2, "name": "half');
    const fut = await rejection(store.importText(JSON.stringify({ version: 3 }), 'future.json'));
    expect([fut.reason, fut.message]).toEqual([
      'futureVersion',
      'cannot import future.json: made by a newer Vision Station (recipe version 3; this one reads up to 2)',
    ]);
    expect((await rejection(store.importText('[]'))).message).toBe(
      'cannot import the file: not a recipe (expected a JSON object)',
    );
    expect((await rejection(store.importText('{"name":"x"}'))).message).toBe(
      'cannot import the file: not a recipe (no version number)',
    );
  });

  it('concurrent changes cannot both take a name or a slot', async () => {
    const { store } = fresh();
    const results = await Promise.allSettled([
      store.create({ name: 'Same' }),
      store.create({ name: 'Same' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const a = await store.create({ name: 'A' });
    const b = await store.create({ name: 'B' });
    await Promise.all([store.assignSlot(a.id, 7), store.assignSlot(b.id, 7)]);
    const holders = (await store.list()).recipes.filter((r) => r.slot === 7).map((r) => r.id);
    expect(holders).toEqual([b.id]);
  });

  it('pure parts: slug and parse', () => {
    expect(slugOf('Bolts M8 / line 2')).toBe('bolts-m8-line-2');
    expect(slugOf('볼트')).toBe('recipe');
    expect(parseRecipeText('{"version":1,"name":"a","extra":1}', 'a', 0)).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'version-1 recipe: Unrecognized key: "extra"',
    });
  });
});

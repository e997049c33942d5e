/**
 * Recipes per camera on a station with two additional cameras, each with its own DB on one real
 * S7 server (node-snap7 S7Server on loopback), the main camera with a third DB: a recipe switched
 * on camera "b" (through the API, then through b's own recipeRequest) changes b's model,
 * thresholds and b's recipeActive, and leaves the main camera and its DB as they were. A camera
 * entry's `recipe` is applied at start; an unknown camera, a missing recipe (API and saved
 * settings) and deleting a recipe a camera runs are refused; a camera sharing its model's worker
 * is restarted on the recipe's model without changing the other camera's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../src/main/station/station';
import { RecipeStore } from '../../src/main/storage/recipes';
import { commissioningPaths } from '../../src/main/storage/data-paths';
import { codeOf } from '../../src/shared/station-error';
import { controlFieldOffsetBytes, DEFAULT_MAX_OBJECTS } from '../../src/shared/plc-layout';
import { sharedModel } from '../helpers/paths';
import { startServer } from '../helpers/s7-db-server';
import { testStation } from '../helpers/station';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MODEL = sharedModel('yolo11n-int8-coco-320.onnx');
const RECIPE_ACTIVE = controlFieldOffsetBytes(DEFAULT_MAX_OBJECTS, 'recipeActive');
const RECIPE_REQUEST = controlFieldOffsetBytes(DEFAULT_MAX_OBJECTS, 'recipeRequest');
const [MAIN_DB, A_DB, B_DB] = [40, 41, 42];

describe('recipes per camera', () => {
  it('switches camera b (API and its own PLC) and leaves the main camera alone; refuses unknown cameras and missing recipes', async () => {
    const server = await startServer([MAIN_DB, A_DB, B_DB]);
    cleanups.push(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'vs-camera-recipes-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new RecipeStore(commissioningPaths(dir).recipesDir);
    const bolts = await store.create({
      name: 'Bolts',
      modelId: MODEL,
      params: { confThreshold: 0.6, iouThreshold: 0.5, maxDet: 50 },
      plc: { slot: 4 },
    });
    const plain = await store.create({
      name: 'Plain',
      modelId: 'classic',
      params: { confThreshold: 0.3, iouThreshold: 0.4 },
      plc: { slot: 5 },
    });
    const plc = (db: number): string => `s7://127.0.0.1:${server.port}?db=${db}`;
    const cameras = [
      { name: 'a', source: 'synthetic:?size=320x240&fps=8', plc: plc(A_DB), recipe: plain.id },
      { name: 'b', source: 'synthetic:?size=352x288&fps=8', plc: plc(B_DB) },
    ];
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=8',
        modelId: 'classic',
        plc: { uri: plc(MAIN_DB) },
        cameras,
      }),
    );
    const station = testStation(dir);
    await station.start();
    cleanups.push(() => station.close());
    const main = station.vision;
    const mainParams = { ...main.decodeParams };
    const b = (): NonNullable<ReturnType<Station['extraCamera']>> => station.extraCamera('b')!;

    // "a" started on its entry's recipe: its thresholds, and slot 5 in its own DB.
    expect(station.extraCamera('a')!.decodeParams).toMatchObject({ confThreshold: 0.3, iouThreshold: 0.4 });
    await server.waitFor(`DB${A_DB} recipeActive = 5`, () => server.readInt(A_DB, RECIPE_ACTIVE) === 5);
    expect((await station.listCameras()).map((c) => [c.name, c.recipe])).toEqual([
      ['main', null],
      ['a', 'Plain'],
      ['b', null],
    ]);

    // The API switches b: its model and thresholds, b's DB; main and its DB as they were.
    expect(b().engine.model?.family).toBe('classic');
    await station.activateRecipe({ id: bolts.id, camera: 'b' });
    expect(b().engine.model?.path).toBe(MODEL);
    expect(b().decodeParams).toMatchObject({ confThreshold: 0.6, iouThreshold: 0.5, maxDet: 50 });
    await server.waitFor(`DB${B_DB} recipeActive = 4`, () => server.readInt(B_DB, RECIPE_ACTIVE) === 4);
    expect(main.engine.model?.family).toBe('classic');
    expect(main.decodeParams).toEqual(mainParams);
    expect(station.extraCamera('a')!.engine.model?.family).toBe('classic');
    const list = await station.listCameras();
    expect(list.map((c) => [c.name, c.recipe, c.model])).toEqual([
      ['main', null, 'classic'],
      ['a', 'Plain', 'classic'],
      ['b', 'Bolts', 'yolo11n-int8-coco-320.onnx'],
    ]);
    expect((await station.getCommissioning()).activeRecipeId).toBeNull();
    // Remembered: b starts on it next time.
    await server.waitFor(
      "settings.json to name b's recipe",
      () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).cameras[1].recipe === bolts.id,
    );

    // b's PLC asks for slot 5 in b's DB: b switches back to the classic detector and says so there.
    server.writeInt(B_DB, RECIPE_REQUEST, 5);
    await server.waitFor(`DB${B_DB} recipeActive = 5`, () => server.readInt(B_DB, RECIPE_ACTIVE) === 5);
    expect(b().engine.model?.family).toBe('classic');
    expect(b().decodeParams).toMatchObject({ confThreshold: 0.3, iouThreshold: 0.4 });
    expect(main.engine.model?.family).toBe('classic');
    expect(main.decodeParams).toEqual(mainParams);
    expect(server.readInt(MAIN_DB, RECIPE_ACTIVE)).toBe(0);
    expect((await station.listCameras()).map((c) => c.recipe)).toEqual([null, 'Plain', 'Plain']);
    // A recipe a camera runs (and starts on) is not deleted under it.
    await expect(station.deleteRecipe({ id: plain.id })).rejects.toThrow(
      "the recipe is in use by the additional camera(s) 'a', 'b' (they start on it); switch them to another recipe first",
    );

    // An unknown camera: coded, naming the cameras there are; nothing switched.
    const refused = await station.activateRecipe({ id: bolts.id, camera: 'nobody' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(codeOf(refused)).toEqual({
      code: 'cameraNotFound',
      params: { camera: 'nobody', cameras: 'main, a, b' },
    });
    expect((refused as Error).message).toBe(
      'no camera named "nobody" on this station; its cameras are: main, a, b (see listCameras)',
    );
    expect(b().engine.model?.family).toBe('classic');

    // A camera entry naming a recipe the station does not have: refused whole, cameras kept.
    const bRuntime = b();
    await expect(
      station.setCameras({ cameras: [{ ...cameras[1]!, recipe: 'no-such-recipe' }] }),
    ).rejects.toThrow(
      'cameras[0] ("b").recipe: no recipe with id "no-such-recipe" in the station\'s recipes; create it in the Setup tab (Recipes) or remove "recipe" from this camera',
    );
    expect(b()).toBe(bRuntime);
  }, 120_000);

  it('a camera sharing its model worker with another is restarted on the recipe; the other keeps its model', async () => {
    const server = await startServer([A_DB, B_DB]);
    cleanups.push(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'vs-camera-recipes-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const plain = await new RecipeStore(commissioningPaths(dir).recipesDir).create({
      name: 'Plain',
      modelId: 'classic',
      params: { confThreshold: 0.3, iouThreshold: 0.4 },
      plc: { slot: 7 },
    });
    const plc = (db: number): string => `s7://127.0.0.1:${server.port}?db=${db}`;
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=8',
        modelId: 'classic',
        plc: { uri: null },
        cameras: [
          { name: 'a', source: 'synthetic:?size=320x240&fps=8', model: MODEL, plc: plc(A_DB) },
          { name: 'b', source: 'synthetic:?size=352x288&fps=8', model: MODEL, plc: plc(B_DB) },
        ],
      }),
    );
    const station = testStation(dir);
    await station.start();
    cleanups.push(() => station.close());
    expect(station.extraCamera('a')!.engine).toBe(station.extraCamera('b')!.engine);

    await station.activateRecipe({ id: plain.id, camera: 'b' });
    expect(station.extraCamera('b')!.engine.model?.family).toBe('classic');
    expect(station.extraCamera('b')!.decodeParams).toMatchObject({ confThreshold: 0.3, iouThreshold: 0.4 });
    expect(station.extraCamera('a')!.engine.model?.path).toBe(MODEL);
    await server.waitFor(`DB${B_DB} recipeActive = 7`, () => server.readInt(B_DB, RECIPE_ACTIVE) === 7);
    expect(server.readInt(A_DB, RECIPE_ACTIVE)).toBe(0);
    expect((await station.listCameras()).map((c) => [c.name, c.recipe, c.model])).toEqual([
      ['main', null, 'classic'],
      ['a', null, 'yolo11n-int8-coco-320.onnx'],
      ['b', 'Plain', 'classic'],
    ]);
  }, 120_000);

  it('saved cameras naming a recipe the station lacks are not started, with the reason as an alarm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-camera-recipes-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        source: 'synthetic:?size=320x240&fps=8',
        modelId: 'classic',
        plc: { uri: null },
        cameras: [{ name: 'dock', source: 'synthetic:', recipe: 'gone' }],
      }),
    );
    const station = testStation(dir);
    await station.start();
    cleanups.push(() => station.close());
    const alarm = (await station.getSnapshot()).alarms.find((a) => a.kind === 'settings');
    expect(alarm?.message).toBe(
      'additional cameras not started: cameras[0] ("dock").recipe: no recipe with id "gone" in the station\'s recipes; create it in the Setup tab (Recipes) or remove "recipe" from this camera',
    );
    expect((await station.listCameras()).map((c) => c.name)).toEqual(['main']);
  });
});

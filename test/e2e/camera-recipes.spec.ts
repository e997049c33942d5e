import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { commissioningPaths } from '../../src/main/storage/data-paths';
import { RecipeStore } from '../../src/main/storage/recipes';
import { openStation, screenshotPath, SHARED_MODELS, startServe, type Served } from './ui-steps';

// Recipes per camera: a station with two additional cameras switches a recipe on one of them from
// Setup → Recipes (the camera list appears because there are additional cameras); the Cameras tab
// then shows that recipe under that camera's tile only.
let served: Served;
let dataDir: string;
let boltsId: string;
test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vs-e2e-camera-recipes-'));
  const store = new RecipeStore(commissioningPaths(dataDir).recipesDir);
  boltsId = (
    await store.create({
      name: 'Bolts',
      modelId: join(SHARED_MODELS, 'yolo11n-int8-coco-320.onnx'),
      params: { confThreshold: 0.5, iouThreshold: 0.45 },
    })
  ).id;
  await store.create({ name: 'Plain', modelId: 'classic' });
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      cameras: [
        { name: 'infeed', source: 'synthetic:?size=640x480&fps=6' },
        { name: 'outfeed', source: 'synthetic:?size=480x360&fps=6' },
      ],
    }),
  );
  served = await startServe({ source: 'synthetic:?size=640x360&fps=8', model: 'classic', dataDir });
});
test.afterAll(async () => {
  await served?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
test.use({ viewport: { width: 1366, height: 768 } });

test('a recipe switched on the second camera shows on its tile only', async ({ page }) => {
  test.setTimeout(120_000);
  await openStation(page, served.url);
  await page.getByTestId('tab-commissioning').click();
  await page.getByTestId('commission-section-recipes').click();
  const cameraList = page.getByTestId('recipe-camera-select');
  await expect(cameraList).toBeVisible({ timeout: 20_000 });
  await cameraList.selectOption('outfeed');
  await page.getByTestId(`recipe-activate-${boltsId}`).click();
  // The camera's recipe comes back through listCameras (polled): the chip follows it.
  await expect(page.getByTestId(`recipe-${boltsId}`).getByTestId('recipe-active')).toBeVisible({
    timeout: 20_000,
  });
  await expect(cameraList.locator('option[value="outfeed"]')).toHaveText('outfeed — Bolts');
  await expect(page.getByTestId('recipe-error')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('ui-camera-recipes-setup.png') });
  // The main camera runs no recipe: choosing it again shows none active.
  await cameraList.selectOption('main');
  await expect(page.getByTestId('recipe-active')).toHaveCount(0);

  await page.getByTestId('tab-cameras').click();
  await expect(page.getByTestId('camera-recipe-outfeed')).toHaveText('Recipe: Bolts', { timeout: 20_000 });
  await expect(page.getByTestId('camera-recipe-main')).toHaveCount(0);
  await expect(page.getByTestId('camera-recipe-infeed')).toHaveCount(0);
  await page.getByTestId('camera-tile-outfeed').click();
  await expect(page.getByTestId('camera-selected')).toContainText('yolo11n-int8-coco-320.onnx', {
    timeout: 20_000,
  });
  await page.screenshot({ path: screenshotPath('ui-camera-recipes-tiles.png') });
});

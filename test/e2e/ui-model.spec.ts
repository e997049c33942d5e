import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  drawnFrameId,
  openStation,
  openTab,
  screenshotPath,
  SHARED_MODELS,
  startServe,
  waitForNewFrame,
  type Served,
} from './ui-steps';

// Synthetic scene, classic detector to start with, and a library folder with two shared models and
// a damaged file: the library must show that one with its error, not offer it.
let served: Served;
let modelsDir: string;
test.beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'vs-e2e-models-'));
  for (const m of ['yolo11n-int8-coco-320.onnx', 'yolox-nano-coco-416.onnx'])
    symlinkSync(join(SHARED_MODELS, m), join(modelsDir, m));
  writeFileSync(join(modelsDir, 'damaged.onnx'), 'this is not an ONNX model');
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=15', model: 'classic', modelsDir });
});
test.afterAll(async () => {
  await served?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});
test.use({ viewport: { width: 1600, height: 900 } });

test('a model swap from the UI changes the active model and the results keep flowing', async ({ page }) => {
  test.setTimeout(120_000);
  await openStation(page, served.url);
  await openTab(page, 'model');
  await expect(page.getByTestId('model-active-name')).toHaveText('classic');
  const entries = page.getByTestId('model-entry');
  const yolo = entries.filter({ hasText: 'yolo11n-int8-coco-320' });
  // The library describes each model by loading it once: the first listing takes a while.
  await expect(yolo).toHaveCount(1, { timeout: 60_000 });
  // Models the station cannot run are listed with their error and cannot be chosen.
  const broken = entries.filter({ has: page.getByTestId('model-entry-error') });
  // Described in the background, one model after another: the damaged one may come last.
  await expect(broken.first()).toBeVisible({ timeout: 60_000 });
  await expect(broken.first().getByTestId('model-swap')).toBeDisabled();
  await page.screenshot({ path: screenshotPath('ui-model-library.png') });

  const before = await waitForNewFrame(page, -1);
  await yolo.getByTestId('model-swap').click();
  // One click: the swap runs, the new model becomes active.
  await expect(page.getByTestId('model-active-name')).toHaveText(/yolo11n-int8-coco-320/, {
    timeout: 90_000,
  });
  await expect(page.getByTestId('status-model-value')).toContainText('yolo11n');
  await expect(yolo).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('model-details')).toContainText('320×320');
  // Two frames at once where there are two cores or more, each session on its share of them:
  // timed at load where a share has several cores, one thread where it has one.
  const cores = availableParallelism();
  await expect(page.getByTestId('model-parallel-frames')).toHaveAttribute(
    'data-value',
    cores >= 2 ? '2' : '1',
  );
  await expect(page.getByTestId('model-cpu-threads')).toContainText(
    cores === 2 || cores === 3 ? '1 · no spinning · its share of the cores' : 'timed on this machine',
  );
  // Results keep flowing, now from the new model.
  const swappedAt = await drawnFrameId(page);
  expect(swappedAt).toBeGreaterThan(before);
  await waitForNewFrame(page, swappedAt + 3);
  await expect(page.getByTestId('live-view')).toContainText('yolo11n-int8-coco-320');
  await expect(page.getByTestId('status-source')).toHaveAttribute('data-state', 'live');
  await page.screenshot({ path: screenshotPath('ui-model-swapped.png') });
});

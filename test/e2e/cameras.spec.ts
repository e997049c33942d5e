import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { openStation, screenshotPath, SHARED_MODELS, startServe, type Served } from './ui-steps';

// The Cameras tab: a station with two additional synthetic cameras (saved in its settings before it
// starts) shows three tiles with pictures; choosing one shows it large with its figures.
let served: Served;
let dataDir: string;
test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vs-e2e-cameras-'));
  const model = join(SHARED_MODELS, 'yolo11n-int8-coco-320.onnx');
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      cameras: [
        { name: 'infeed', source: 'synthetic:?size=640x480&fps=8', model },
        { name: 'outfeed', source: 'synthetic:?size=480x360&fps=6', model },
      ],
    }),
  );
  served = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic', dataDir });
});
test.afterAll(async () => {
  await served?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
test.use({ viewport: { width: 1366, height: 768 } });

test('three camera tiles with pictures; choosing one shows it large', async ({ page }) => {
  await openStation(page, served.url);
  await page.getByTestId('tab-cameras').click();
  const grid = page.getByTestId('camera-grid');
  for (const name of ['main', 'infeed', 'outfeed']) {
    await expect(grid.getByTestId(`camera-tile-${name}`)).toHaveAttribute('data-state', 'live', {
      timeout: 30_000,
    });
    await expect(grid.getByTestId(`camera-image-${name}`)).toBeVisible({ timeout: 30_000 });
  }
  await expect(grid.locator('button')).toHaveCount(3);
  // Every additional camera is live: the verdict is not held down by them.
  await expect(page.getByTestId('verdict')).not.toHaveAttribute('data-cause', /^camera:/);

  // A press on the picture is a press on the tile itself: the picture is replaced when the camera
  // restarts, and a click whose press landed on a replaced element is dropped by Chromium.
  const tile = grid.getByTestId('camera-tile-outfeed');
  const image = grid.getByTestId('camera-image-outfeed');
  const box = await image.boundingBox();
  if (!box) throw new Error('the outfeed picture has no box');
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const hit = await page.evaluate(
    `document.elementFromPoint(${x}, ${y})?.getAttribute('data-testid') ?? null`,
  );
  expect(hit).toBe('camera-tile-outfeed');
  await tile.click();
  await expect(page.getByTestId('camera-selected')).toHaveAttribute('data-camera', 'outfeed');
  await expect(page.getByTestId('camera-image-outfeed-large')).toBeVisible();
  await expect(page.getByTestId('camera-selected')).toContainText('yolo11n-int8-coco-320.onnx');
  await page.getByTestId('camera-select').selectOption('infeed');
  await expect(page.getByTestId('camera-selected')).toHaveAttribute('data-camera', 'infeed');
  await page.screenshot({ path: screenshotPath('ui-cameras-grid.png') });
  // The chosen camera's figures, below its picture in the side panel.
  await page.getByTestId('camera-selected').locator('dl').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('camera-selected')).toContainText('fps');
  await page.screenshot({ path: screenshotPath('ui-cameras-selected.png') });
});

test('a camera that cannot be reached makes the verdict name it', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'vs-e2e-cameras-bad-'));
  // Nothing listens on port 1: the camera retries and never goes live.
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ cameras: [{ name: 'dock', source: 'rtsp://127.0.0.1:1/stream' }] }),
  );
  const bad = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic', dataDir: dir });
  try {
    await openStation(page, bad.url);
    const verdict = page.getByTestId('verdict');
    await expect(verdict).toHaveAttribute('data-cause', 'camera:dock', { timeout: 30_000 });
    await expect(verdict).toHaveAttribute('data-state', 'stopped');
    await expect(page.getByTestId('verdict-reason')).toContainText('Camera dock:');
    await page.getByTestId('tab-cameras').click();
    await expect(page.getByTestId('camera-tile-dock')).not.toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId('camera-image-main')).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('ui-cameras-verdict.png') });
  } finally {
    await bad.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

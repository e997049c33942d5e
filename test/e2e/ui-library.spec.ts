import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import {
  openStation,
  openTab,
  screenshotPath,
  SHARED_MODELS,
  startServe,
  writeResult,
  type Served,
} from './ui-steps';

// Opening the model library with the shared models on a station that runs a real model: the list
// comes at once, the models are described in the background with progress, and the station's FPS
// during that time is recorded (test-results/ui-library-bench.json; figures, not asserted).
let served: Served;
test.beforeAll(async () => {
  served = await startServe({
    source: 'synthetic:?size=1280x720&fps=10',
    model: join(SHARED_MODELS, 'yolo11n-int8-coco-320.onnx'),
    modelsDir: SHARED_MODELS,
  });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

test('the library lists at once and describes the models in the background with progress', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openStation(page, served.url);
  await expect(page.getByTestId('status-fps')).toHaveAttribute('data-level', 'ok', { timeout: 30_000 });
  // The FPS tile sampled in the page each 250 ms while the library is described.
  await page.evaluate(`(() => {
    window.__fps = [];
    window.__fpsTimer = setInterval(() => {
      const v = document.querySelector('[data-testid="status-fps-value"]')?.textContent ?? '';
      const n = Number(v.replace(/[^0-9.]/g, ''));
      if (Number.isFinite(n)) window.__fps.push(n);
    }, 250);
  })()`);
  const t0 = Date.now();
  await openTab(page, 'model');
  await expect(page.getByTestId('model-entry').first()).toBeVisible();
  const listedMs = Date.now() - t0;
  await expect(page.getByTestId('library-progress')).toBeVisible();
  await expect(page.getByTestId('library-progress')).toContainText(/described \d+ of \d+/);
  await page.screenshot({ path: screenshotPath('ui-library-describing.png') });
  await expect(page.getByTestId('library-progress')).toHaveCount(0, { timeout: 200_000 });
  const describedMs = Date.now() - t0;
  const fps = (await page.evaluate(
    `(() => { clearInterval(window.__fpsTimer); return window.__fps; })()`,
  )) as number[];
  // Every shared model is now described: a model or an error, none pending.
  const entries = page.getByTestId('model-entry');
  expect(await entries.count()).toBeGreaterThanOrEqual(12);
  await expect(page.getByText('not described yet')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('ui-library-described.png') });
  writeResult('ui-library-bench.json', {
    models: (await entries.count()) - 1,
    listedMs,
    describedMs,
    fpsSamples: fps.length,
    fpsMin: Math.min(...fps),
    fpsMean: fps.reduce((a, b) => a + b, 0) / Math.max(1, fps.length),
  });
});

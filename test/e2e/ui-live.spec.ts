import { test, expect } from '@playwright/test';
import { canvasFingerprint, drawnDetections, drawnFrameId, openStation, screenshotPath, startServe, waitForNewFrame, type Served } from './ui-steps';

// Default station: synthetic conveyor scene + classic detector, no PLC flag (built-in default).
let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=15', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1600, height: 900 } });

test('the live canvas shows frames that change, with boxes on the synthetic scene', async ({ page }) => {
  await openStation(page, served.url);
  const first = await waitForNewFrame(page, -1);
  const before = await canvasFingerprint(page);
  await waitForNewFrame(page, first + 2);
  await expect.poll(() => canvasFingerprint(page), { message: 'the picture changes' }).not.toBe(before);
  // The classic detector finds the moving parts of the synthetic scene.
  await expect.poll(() => drawnDetections(page), { message: 'boxes on the synthetic scene' }).toBeGreaterThan(0);
  await expect(page.getByTestId('detection-row').first()).toBeVisible();
  await expect(page.getByTestId('status-source')).toHaveAttribute('data-state', 'live');
  expect(await drawnFrameId(page)).toBeGreaterThan(first);
  await page.screenshot({ path: screenshotPath('ui-live.png') });
});

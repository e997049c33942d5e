import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { openStation, openTab, screenshotPath, startServe, waitForNewFrame, type Served } from './ui-steps';

// The demo clip read as fast as inference goes (fps=max): inference never has time to spare, so
// the live view yields to it (LiveViewGovernor) and the screen says so.
let served: Served;
test.beforeAll(async () => {
  served = await startServe({
    source: `file:${join('resources', 'demo', 'bottle-detection.mp4')}?loop=1&fps=max`,
    model: 'classic',
    plc: 'off',
  });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1600, height: 900 } });

test('the live view slows to 1 picture a second while inference has no time to spare, unless set to keep its rate', async ({
  page,
}) => {
  await openStation(page, served.url);
  const first = await waitForNewFrame(page, -1);
  const badge = page.getByTestId('live-yielding');
  await expect(badge).toHaveAttribute('data-fps', '1', { timeout: 20_000 });
  await expect(badge).toHaveText('Live view 1/s: inference first');
  // Still a live view: new pictures come.
  await waitForNewFrame(page, first);
  await page.screenshot({ path: screenshotPath('ui-yield.png') });
  // Settings: a steady live view keeps its rate, and the badge goes.
  await openTab(page, 'settings');
  await expect(page.getByTestId('live-view-mode-inference-first')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('live-view-mode-steady').click();
  await expect(page.getByTestId('live-view-mode-steady')).toHaveAttribute('aria-pressed', 'true');
  await expect(badge).toBeHidden({ timeout: 10_000 });
});

import { test, expect } from '@playwright/test';
import { openStation, openTab, screenshotPath, startServe, type Served } from './ui-steps';

// Thresholds are a draft until Apply; Revert drops the draft; the values before the last Apply
// can be restored, also after a reload (the station keeps them).
let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

test('Revert restores the previous thresholds; Restore last applied survives a reload', async ({ page }) => {
  await openStation(page, served.url);
  await openTab(page, 'tuning');
  const conf = page.getByTestId('conf-slider-value');
  const state = page.getByTestId('tuning-state');
  await expect(conf).toHaveText('0.25');

  // A draft does not reach the station.
  await page.getByTestId('conf-slider').fill('0.6');
  await expect(conf).toHaveText('0.60');
  await expect(state).toHaveAttribute('data-state', 'draft');
  await expect(page.getByTestId('tuning-running')).toContainText('0.25');
  await page.screenshot({ path: screenshotPath('ui-tuning-draft.png') });

  // Revert: back to the running values.
  await page.getByTestId('tuning-revert').click();
  await expect(conf).toHaveText('0.25');
  await expect(state).not.toHaveAttribute('data-state', 'draft');
  await expect(page.getByTestId('tuning-apply')).toBeDisabled();

  // Apply, then reload: the station runs 0.60 and still knows 0.25 came before.
  await page.getByTestId('conf-slider').fill('0.6');
  await page.getByTestId('tuning-apply').click();
  await expect(state).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('tuning-running')).toContainText('0.60');
  await page.reload();
  await openTab(page, 'tuning');
  await expect(conf).toHaveText('0.60');
  await page.getByTestId('tuning-restore').click();
  await expect(state).toHaveAttribute('data-state', 'saved');
  await expect(conf).toHaveText('0.25');
  await expect(page.getByTestId('tuning-running')).toContainText('0.25');
});

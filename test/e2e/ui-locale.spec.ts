import { test, expect } from '@playwright/test';
import { openStation, openTab, screenshotPath, startServe, waitForNewFrame, type Served } from './ui-steps';

let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=15', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1600, height: 900 } });

test('the Korean locale renders, is saved on the station, and formats numbers for the locale', async ({
  page,
  browser,
}) => {
  await openStation(page, served.url);
  await waitForNewFrame(page, -1);
  await expect(page.getByTestId('status-source')).toContainText('Camera');
  await openTab(page, 'settings');
  await page.getByTestId('locale-ko').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByTestId('status-source')).toContainText('카메라');
  await expect(page.getByTestId('status-source-value')).toHaveText('실시간');
  await expect(page.getByTestId('tab-performance')).toHaveText('성능');
  await expect(page.getByTestId('toggle-masks').locator('..')).toContainText('마스크');
  await openTab(page, 'performance');
  await expect(page.getByTestId('fps-chart')).toContainText('목표 4 fps');
  // Times on the chart axis are written the Korean way (오전/오후 = AM/PM).
  await expect(page.getByTestId('fps-chart')).toContainText(/오전|오후/);
  await page.screenshot({ path: screenshotPath('ui-korean.png') });

  // The setting lives on the station: a second screen opens in Korean too.
  const other = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  try {
    await openStation(other, served.url);
    await expect(other.locator('html')).toHaveAttribute('lang', 'ko');
    await expect(other.getByTestId('tab-alarms')).toHaveText('알람');
  } finally {
    await other.close();
  }

  await openTab(page, 'settings');
  await page.getByTestId('locale-en').click();
  await expect(page.getByTestId('status-source')).toContainText('Camera');
});

test('the language can be chosen per screen (kept in the browser), the station setting stays the default', async ({
  page,
  browser,
}) => {
  await openStation(page, served.url);
  await openTab(page, 'settings');
  await page.getByTestId('screen-locale-ko').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByTestId('verdict')).toContainText('스테이션');
  await page.screenshot({ path: screenshotPath('ui-korean-screen-choice.png') });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');

  // Another screen (its own browser storage) still follows the station: English.
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  try {
    const other = await ctx.newPage();
    await openStation(other, served.url);
    await expect(other.locator('html')).toHaveAttribute('lang', 'en');
    await expect(other.getByTestId('tab-alarms')).toHaveText('Alarms');
  } finally {
    await ctx.close();
  }
  await openTab(page, 'settings');
  await page.getByTestId('screen-locale-default').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

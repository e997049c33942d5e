import { test, expect } from '@playwright/test';
import { drawnDetections, openStation, openTab, screenshotPath, startServe, type Served } from './ui-steps';

// First start: an empty data folder and no flags. The station must show the demo bundle doing the
// real job: the bottle clip, YOLOX-Nano finding the bottles, and the PLC simulator receiving them.
let served: Served;
const cspViolations: string[] = [];
test.beforeAll(async () => {
  served = await startServe();
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1600, height: 900 } });

test('with no settings the station plays the demo clip with YOLOX-Nano and writes to the PLC simulator', async ({
  page,
}) => {
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
  });
  await openStation(page, served.url);
  await expect(page.getByTestId('status-source-badge')).toHaveText('DEMO', { timeout: 30_000 });
  await expect(page.getByTestId('status-source')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await expect(page.getByTestId('status-model-value')).toHaveText('yolox-nano-coco-416', { timeout: 30_000 });
  await expect
    .poll(() => drawnDetections(page), {
      message: 'YOLOX-Nano finds the bottles of the demo clip',
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('detection-row').filter({ hasText: 'bottle' }).first()).toBeVisible();
  await expect(page.getByTestId('status-plc')).toHaveAttribute('data-state', 'connected', {
    timeout: 30_000,
  });
  await page.screenshot({ path: screenshotPath('ui-demo.png') });

  // The simulator keeps receiving: its life counter moves and the written block holds records.
  await openTab(page, 'plc');
  const lifeCounter = async () =>
    Number((await page.getByTestId('plc-life-counter').textContent())?.replace(/\D/g, ''));
  const first = await lifeCounter();
  await expect
    .poll(lifeCounter, { message: 'the PLC simulator receives more writes' })
    .toBeGreaterThan(first);
  await expect
    .poll(async () => Number(await page.locator('[data-field="count"]').getAttribute('data-value')), {
      message: 'the PLC block carries the detected objects',
    })
    .toBeGreaterThan(0);
  expect(cspViolations, 'the strict CSP (no inline styles) blocks nothing the UI needs').toEqual([]);
});

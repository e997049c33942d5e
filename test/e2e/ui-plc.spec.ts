import { test, expect } from '@playwright/test';
import {
  openStation,
  openTab,
  screenshotPath,
  startPlcSim,
  startServe,
  type PlcSimProcess,
  type Served,
} from './ui-steps';

// The PLC simulator runs as its own process, so the test can pull the plug on it.
let sim: PlcSimProcess;
let served: Served;
test.beforeAll(async () => {
  sim = await startPlcSim();
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=15', model: 'classic', plc: sim.uri });
});
test.afterAll(async () => {
  await served?.close();
  await sim?.kill();
});
test.use({ viewport: { width: 1600, height: 900 } });

test('stopping the PLC simulator turns the PLC state red and raises an alarm that can be acknowledged', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await openStation(page, served.url);
  const plcTile = page.getByTestId('status-plc');
  await expect(plcTile).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await expect(plcTile).toHaveAttribute('data-level', 'ok');
  // The PLC panel shows the last written block field by field.
  await openTab(page, 'plc');
  await expect(page.getByTestId('plc-field').filter({ hasText: 'lifeCounter' })).toBeVisible();
  await expect(page.getByTestId('plc-field').filter({ hasText: 'frameId' })).toBeVisible();
  await page.screenshot({ path: screenshotPath('ui-plc-connected.png') });

  await sim.kill();
  await expect(plcTile).toHaveAttribute('data-level', 'bad', { timeout: 30_000 });
  await openTab(page, 'alarms');
  const alarm = page.locator('[data-kind="plcDown"]');
  await expect(alarm).toHaveCount(1, { timeout: 30_000 });
  await expect(alarm).toHaveAttribute('data-active', 'true');
  await expect(alarm).toHaveAttribute('data-acknowledged', 'false');
  await expect(page.getByTestId('status-alarms')).toHaveAttribute('data-level', 'bad');
  await page.screenshot({ path: screenshotPath('ui-plc-down.png') });

  await alarm.getByRole('button').click();
  await expect(alarm).toHaveAttribute('data-acknowledged', 'true');
  // Acknowledged, the condition still holds: the PLC stays red.
  await expect(alarm).toHaveAttribute('data-active', 'true');
  await expect(plcTile).toHaveAttribute('data-level', 'bad');
  await page.screenshot({ path: screenshotPath('ui-plc-acknowledged.png') });
});

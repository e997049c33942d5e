import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

// The verdict names what stops the line: the PLC simulator is stopped (a separate process), the
// picture says results are not reaching the PLC; it comes back, all clears; and the alarm journal
// still shows raise, acknowledge and clear after the station restarts on the same data folder.
const SOURCE = 'synthetic:?size=640x360&fps=10';
let sim: PlcSimProcess | null = null;
let served: Served | null = null;
let dataDir: string;
test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vs-verdict-'));
});
test.afterAll(async () => {
  await served?.close();
  await sim?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});
test.use({ viewport: { width: 1366, height: 768 } });

test('PLC stopped: STOPPED naming the PLC and a banner on the picture; back: cleared; journal after a restart', async ({
  page,
}) => {
  test.setTimeout(150_000);
  sim = await startPlcSim();
  const port = sim.port;
  served = await startServe({ source: SOURCE, model: 'classic', plc: sim.uri, dataDir });
  await openStation(page, served.url);
  const verdict = page.getByTestId('verdict');
  const banner = page.getByTestId('plc-banner');
  await expect(page.getByTestId('status-plc')).toHaveAttribute('data-state', 'connected', {
    timeout: 20_000,
  });
  await expect(verdict).toHaveAttribute('data-state', 'ok');
  await expect(banner).toHaveCount(0);

  await sim.kill();
  sim = null;
  // At once the picture says results do not reach the PLC; after the grace time the alarm names it.
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).toHaveAttribute('data-problem', 'linkDown');
  await expect(verdict).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await expect(verdict).toHaveAttribute('data-cause', 'plcDown');
  await expect(page.getByTestId('verdict-reason')).toContainText('PLC');
  await expect(page.getByTestId('status-alarms')).toHaveAttribute('data-state', 'plcDown');
  await expect(page.getByTestId('status-alarms')).toContainText('PLC link down');
  await page.screenshot({ path: screenshotPath('ui-verdict-plc-down.png') });

  // Acknowledge with the keyboard shortcut (A): the condition still holds.
  await page.keyboard.press('a');
  await openTab(page, 'alarms');
  const alarm = page.locator('li.alarm[data-kind="plcDown"]');
  await expect(alarm).toHaveAttribute('data-acknowledged', 'true');
  await expect(verdict).toHaveAttribute('data-state', 'stopped');

  // The simulator comes back on the same port: the link reconnects and everything clears.
  sim = await startPlcSim(port);
  await expect(verdict).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
  await expect(banner).toHaveCount(0, { timeout: 15_000 });
  await expect(alarm).toHaveAttribute('data-active', 'false');
  await page.screenshot({ path: screenshotPath('ui-verdict-plc-back.png') });

  // Restart the station on the same data folder: the journal remembers.
  await served.close();
  served = await startServe({ source: SOURCE, model: 'classic', plc: sim.uri, dataDir });
  await openStation(page, served.url);
  await openTab(page, 'alarms');
  const row = page.locator('[data-testid="journal-row"][data-journal-kind="plcDown"]');
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  const raised = Number(await row.getAttribute('data-raised'));
  const cleared = Number(await row.getAttribute('data-cleared'));
  const acked = Number(await row.getAttribute('data-acknowledged'));
  expect(raised).toBeGreaterThan(0);
  expect(acked).toBeGreaterThanOrEqual(raised);
  expect(cleared).toBeGreaterThanOrEqual(acked);
  // Acknowledged from this browser, nobody logged in (no users yet): the station writes down the
  // client, a WebSocket from this machine.
  await expect(row).toHaveAttribute('data-by', /^ws (127\.0\.0\.1|\[?::1\]?|\[?::ffff:127\.0\.0\.1\]?):\d+$/);
  await page.getByTestId('alarm-journal').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('ui-verdict-journal-after-restart.png') });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { openStation, openTab, screenshotPath, startServe, type Served } from './ui-steps';

// A server error in the screen's language (a mistyped source on a Korean screen), and the per-shift
// counts of a counting line across the synthetic belt in the Counting tab, exported as CSV.
let served: Served;
let dataDir: string;
test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vs-e2e-shifts-'));
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      plc: { uri: null },
      tracking: { lines: [{ name: 'gate', x1: 320, y1: 0, x2: 320, y2: 360 }] },
      shifts: { shifts: [{ name: 'Day', start: '00:00' }], timeZone: 'UTC' },
    }),
  );
  served = await startServe({ source: 'synthetic:?size=640x360&fps=20', model: 'classic', dataDir });
});
test.afterAll(async () => {
  await served?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
test.use({ viewport: { width: 1366, height: 768 } });

test('a mistyped source on a Korean screen is refused in Korean, and the camera stays live', async ({
  page,
}) => {
  await page.addInitScript(`localStorage.setItem('vision-station.screen-locale', 'ko')`);
  await openStation(page, served.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await openTab(page, 'source');
  await expect(page.getByTestId('source-state')).toHaveAttribute('data-state', 'live');
  await page.getByTestId('source-uri-input').fill('nonsense://camera');
  await page.getByTestId('source-apply').click();
  await page.getByTestId('confirm-ok').click();
  const error = page.getByTestId('source-error');
  await expect(error).toContainText('올바른 소스 주소가 아닙니다 "nonsense://camera"');
  await expect(error).not.toContainText('Invalid source');
  await expect(page.getByTestId('source-state')).toHaveAttribute('data-state', 'live');
  await page.screenshot({ path: screenshotPath('ui-error-ko.png') });
});

test('the Counting tab shows the counts per shift, line and class, and exports them', async ({ page }) => {
  await openStation(page, served.url);
  // This station has no PLC: the verdict does not claim that results reach one.
  await expect(page.getByTestId('verdict-reason')).toHaveText('Running; PLC off, results not sent');
  await openTab(page, 'counting');
  await expect(page.getByTestId('shift-current')).toContainText('Now: Day (00:00–00:00)');
  const row = page.getByTestId('shift-row').first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  const cells = row.locator('td');
  await expect(cells.nth(1)).toHaveText('Day');
  await expect(cells.nth(2)).toHaveText('gate');
  await expect(cells.nth(3)).toHaveText('object');
  await page.getByTestId('shift-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('ui-shift-counts.png') });
  const download = page.waitForEvent('download');
  await page.getByTestId('shift-export').click();
  const csv = readFileSync(await (await download).path(), 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toBe('day,shift,start,end,line,class,in,out');
  expect(lines[1]).toMatch(
    /^\d{4}-\d{2}-\d{2},Day,\d{4}-\d{2}-\d{2}T00:00:00\.000Z,\d{4}-\d{2}-\d{2}T00:00:00\.000Z,gate,object,\d+,\d+$/,
  );
});

test('the shift schedule is edited in the Counting tab; a bad one is refused with the reason', async ({
  page,
}) => {
  await openStation(page, served.url);
  await openTab(page, 'counting');
  await expect(page.getByTestId('shift-current')).toContainText('Now: Day (00:00–00:00)');
  await page.getByTestId('shift-edit').click();
  await expect(page.getByTestId('shift-schedule-input')).toHaveValue('Day 00:00');
  await expect(page.getByTestId('shift-zone-input')).toHaveValue('UTC');
  // 25:00 is no time: refused, the editor stays open and the schedule in force is unchanged.
  await page.getByTestId('shift-schedule-input').fill('Early 06:00, Late 25:00');
  await page.getByTestId('shift-apply').click();
  await expect(page.getByTestId('shift-counts').getByRole('alert')).toContainText('Shift schedule not saved');
  await expect(page.getByTestId('shift-editor')).toBeVisible();
  await expect(page.getByTestId('shift-current')).toContainText('Shifts: Day 00:00');
  // Two shifts covering the day: applied, shown, and kept by the station.
  await page.getByTestId('shift-schedule-input').fill('Early 00:00, Late 12:00');
  await page.getByTestId('shift-apply').click();
  await expect(page.getByTestId('shift-editor')).toHaveCount(0);
  await expect(page.getByTestId('shift-current')).toContainText('Shifts: Early 00:00, Late 12:00');
  const saved = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
    shifts: { shifts: { name: string; start: string }[]; timeZone: string | null };
  };
  expect(saved.shifts.shifts).toEqual([
    { name: 'Early', start: '00:00' },
    { name: 'Late', start: '12:00' },
  ]);
  expect(saved.shifts.timeZone).toBe('UTC');
});

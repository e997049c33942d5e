import { test, expect, type Page } from '@playwright/test';
import { openStation, openTab, screenshotPath, startServe, type Served } from './ui-steps';

// Counting on the live picture: a line drawn across the synthetic belt counts the parts, lists
// each crossing, trails follow the tracks, an include zone is drawn, and a confirmed reset zeroes.
let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=640x360&fps=20', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

/** Picture pixels → page coordinates over the editor (laid exactly on the picture). */
async function pictureToPage(page: Page): Promise<(x: number, y: number) => { x: number; y: number }> {
  const box = (await page.getByTestId('zone-editor').boundingBox())!;
  return (x, y) => ({ x: box.x + (x / 640) * box.width, y: box.y + (y / 360) * box.height });
}

async function total(page: Page): Promise<number> {
  const n = async (id: string) => Number(await page.getByTestId(id).textContent());
  return (await n('counter-line1-in')) + (await n('counter-line1-out'));
}

test('draw a line across the belt, count, list crossings, trails, zone, confirmed reset', async ({
  page,
}) => {
  await openStation(page, served.url);
  await openTab(page, 'counting');
  await expect(page.getByTestId('counter-tiles-empty')).toBeVisible();

  // A vertical line across the belt in the middle of the picture, by mouse.
  await page.getByTestId('tracking-tool-line').click();
  const at = await pictureToPage(page);
  const from = at(320, 10);
  const to = at(320, 350);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('line-0')).toBeVisible();
  await expect(page.getByTestId('counter-line1')).toBeVisible();
  await page.getByTestId('tracking-tool-line').click(); // done drawing

  // Parts cross it: counters go up and each crossing is listed with its track.
  await expect.poll(() => total(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const rows = page.getByTestId('crossings').locator('tbody tr');
  await expect(rows.first()).toContainText('line1');
  await expect(rows.first()).toContainText('#');
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  await expect
    .poll(async () => Number(await page.getByTestId('trails').getAttribute('data-trails')), {
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath('ui-tracking-line-trails-counters.png') });

  // An include zone over the left half, by tapping its corners and the first one again.
  await page.getByTestId('tracking-tool-include').click();
  // Where the picture is now (the panels around it may have grown since the line was drawn).
  const atNow = await pictureToPage(page);
  for (const [x, y] of [
    [20, 60],
    [300, 60],
    [300, 300],
    [20, 300],
    [20, 60],
  ] as const) {
    const p = atNow(x, y);
    await page.mouse.click(p.x, p.y);
  }
  // Saved on the station, then drawn: allow a busy machine its round trip.
  await expect(page.getByTestId('zone-0')).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('tracking-tool-include').click();
  await page.screenshot({ path: screenshotPath('ui-tracking-zone-line.png') });
  await page.getByTestId('tracking-panel').screenshot({ path: screenshotPath('ui-tracking-tiles.png') });

  // Reset asks first; Cancel keeps the counts, OK zeroes them.
  const before = await total(page);
  await page.getByTestId('counters-reset').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  expect(await total(page)).toBeGreaterThanOrEqual(before);
  await page.getByTestId('counters-reset').click();
  await page.getByTestId('confirm-ok').click();
  // A part crosses every 2.4 s at 20 fps: the zeros are seen well before the next one.
  await expect(page.getByTestId('counter-line1-in')).toHaveText('0');
  await expect(page.getByTestId('counter-line1-out')).toHaveText('0');

  // The line is the station's: it is there after a reload.
  await page.reload();
  await openTab(page, 'counting');
  await expect(page.getByTestId('counter-line1')).toBeVisible();
  await expect(page.getByTestId('line-0')).toBeVisible();
  await expect(page.getByTestId('zone-0')).toBeVisible();
});

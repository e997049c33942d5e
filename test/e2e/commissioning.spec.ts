/**
 * The commissioning console at 1366×768 on a touch panel: open commissioning on a fresh station,
 * the first administrator and an engineer created in the UI, login with the PIN pad, calibration
 * on a frozen frame (4 points, mm entered with steppers, solved, RMS shown, saved), the per-class
 * table, recipes created and switched, logout. Screenshots go to test-results/ to be looked at.
 */
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { openStation, screenshotPath, SHARED_MODELS, startServe, type Served } from './ui-steps';

let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=1280x720&fps=10', model: 'classic', plc: 'off' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

async function login(page: Page, username: string, pin: string): Promise<void> {
  await page.getByTestId('login-open').click();
  const dialog = page.getByTestId('login-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('login-username').fill(username);
  for (const digit of pin) await dialog.getByTestId(`login-key-${digit}`).click();
  await dialog.getByTestId('login-submit').click();
  // scrypt on a busy 2-core machine: allow the station time to check the PIN.
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('session-badge')).toContainText(username);
}

async function addUser(page: Page, username: string, role: string, pin: string): Promise<void> {
  await page.getByTestId('commission-section-users').click();
  await page.getByTestId('user-new-name').fill(username);
  await page.getByTestId(`user-new-role-${role}`).click();
  await page.getByTestId('user-new-pin').fill(pin);
  await page.getByTestId('user-create').click();
}

/** Taps the calibration picture at a fraction of its size. */
async function tapFrame(page: Page, fx: number, fy: number): Promise<void> {
  const overlay = page.getByTestId('calib-overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = (await overlay.boundingBox())!;
  await overlay.click({ position: { x: box.width * fx, y: box.height * fy } });
}

async function bump(page: Page, testId: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await page.getByTestId(`${testId}-inc`).click();
}

test('commissioning: users, login, calibration, per-class limits, recipes, logout', async ({ page }) => {
  test.setTimeout(180_000);
  await openStation(page, served.url);
  // A fresh station: open commissioning, said plainly on every screen.
  await expect(page.getByTestId('open-commissioning-banner')).toHaveText(
    'No users defined — anyone with the station link has full rights; create an administrator',
  );
  await page.getByTestId('tab-commissioning').click();
  await page.screenshot({ path: screenshotPath('commissioning-1-open-mode.png') });

  // The first user (an administrator) ends open commissioning: this screen is now view only.
  await addUser(page, 'ann', 'administrator', '2468');
  await expect(page.getByTestId('open-commissioning-banner')).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('session-logged-out')).toBeVisible();
  await expect(page.getByTestId('commission-section-users')).toBeHidden();

  // A wrong PIN is refused with the station's words.
  await page.getByTestId('login-open').click();
  await page.getByTestId('login-username').fill('ann');
  for (const d of '1111') await page.getByTestId(`login-key-${d}`).click();
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('wrong user name or PIN/password', {
    timeout: 30_000,
  });
  await page.getByTestId('login-cancel').click();

  await login(page, 'ann', '2468');
  await addUser(page, 'eng', 'engineer', '1357');
  await expect(page.getByTestId('user-eng')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: screenshotPath('commissioning-2-users.png') });

  // Models: an administrator uploads one (the station loads it once before adding it), then deletes it.
  await page.getByTestId('commission-section-models').click();
  await page
    .getByTestId('model-import-file')
    .setInputFiles(join(SHARED_MODELS, 'yolo11n-int8-coco-320.onnx'));
  const imported = page.getByTestId('user-model').filter({ hasText: 'yolo11n-int8-coco-320' });
  await expect(imported).toBeVisible({ timeout: 60_000 });
  await expect(imported).toContainText('320×320');
  await page.screenshot({ path: screenshotPath('commissioning-2b-models.png') });
  await imported.getByTestId('user-model-delete').click();
  await expect(imported).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('session-logged-out')).toBeVisible();

  await login(page, 'eng', '1357');
  // Engineers see no user administration.
  await expect(page.getByTestId('commission-section-users')).toBeHidden();

  // Calibration: freeze, 4 points at the corners of a 100 × 50 mm rectangle, solve, save.
  await page.getByTestId('commission-section-calibration').click();
  await page.getByTestId('calib-freeze').click();
  await expect(page.getByTestId('calib-overlay')).toBeVisible();
  const corners: [number, number, number, number][] = [
    // fraction x, fraction y, mm x (hundreds), mm y (tens)
    [0.1, 0.1, 0, 0],
    [0.9, 0.1, 1, 0],
    [0.9, 0.9, 1, 5],
    [0.1, 0.9, 0, 5],
  ];
  for (const [i, [fx, fy, hundreds, tens]] of corners.entries()) {
    await tapFrame(page, fx, fy);
    await expect(page.getByTestId(`calib-point-${i}`)).toBeVisible();
    await page.getByTestId('calib-step').getByRole('button', { name: '±100', exact: true }).click();
    await bump(page, 'calib-mm-x', hundreds);
    await page.getByTestId('calib-step').getByRole('button', { name: '±10', exact: true }).click();
    await bump(page, 'calib-mm-y', tens);
    await expect(page.getByTestId(`calib-point-${i}`)).toContainText(`${hundreds * 100}.0, ${tens * 10}.0`);
  }
  await page.getByTestId('calib-solve').click();
  await expect(page.getByTestId('calib-rms')).toContainText(/RMS 0\.0\d mm/);
  await expect(page.getByTestId('calib-residual-0')).toHaveText(/0\.0\d mm/);
  await page.screenshot({ path: screenshotPath('commissioning-3-calibration.png') });
  await page.getByTestId('calib-save').click();
  await expect(page.getByTestId('calib-saved')).toContainText('4 points');

  // Per-class table: switch the first class off, give it its own threshold.
  await page.getByTestId('commission-section-classes').click();
  const row = page.getByTestId('class-limit-0');
  await expect(row).toBeVisible();
  await row.getByTestId('class-limit-0-conf-inc').click();
  await expect(row.getByTestId('class-limit-0-conf-value')).toHaveText(/0\.\d\d/);
  await row.getByTestId('class-limit-0-enabled').click();
  await expect(row.getByTestId('class-limit-0-enabled')).toHaveAttribute('aria-pressed', 'false');
  await expect(row).toHaveClass(/dim/);
  await page.screenshot({ path: screenshotPath('commissioning-4-classes.png') });
  await row.getByTestId('class-limit-0-enabled').click();
  await expect(row.getByTestId('class-limit-0-enabled')).toHaveAttribute('aria-pressed', 'true');

  // Recipes: two from the current state, then switch between them.
  await page.getByTestId('commission-section-recipes').click();
  for (const name of ['Job A', 'Job B']) {
    await page.getByTestId('recipe-name').fill(name);
    await page.getByTestId('recipe-create').click();
  }
  await expect(page.getByTestId('recipe-job-a')).toBeVisible();
  await expect(page.getByTestId('recipe-job-b')).toBeVisible();
  await page.getByTestId('recipe-activate-job-b').click();
  await expect(page.getByTestId('recipe-job-b').getByTestId('recipe-active')).toBeVisible();
  await page.getByTestId('recipe-activate-job-a').click();
  await expect(page.getByTestId('recipe-job-a').getByTestId('recipe-active')).toBeVisible();
  await expect(page.getByTestId('recipe-job-b').getByTestId('recipe-active')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('commissioning-5-recipes.png') });

  // Audit: the engineer's changes are listed.
  await page.getByTestId('commission-section-audit').click();
  await expect(page.getByTestId('audit-table')).toContainText('activateRecipe');
  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verify-result')).toContainText(/Intact/);
  const newest = page.getByTestId('audit-table').locator('tbody tr').first();
  await newest.scrollIntoViewIfNeeded();
  await expect(newest).toBeVisible();
  await expect(newest).toContainText('eng');
  await page.screenshot({ path: screenshotPath('commissioning-6-audit.png') });

  await page.getByTestId('logout').click();
  await expect(page.getByTestId('session-logged-out')).toBeVisible();
  // Logged out: the live picture stays, the recipes cannot be switched.
  await page.getByTestId('commission-section-recipes').click();
  await expect(page.getByTestId('recipes-login-hint')).toBeVisible();
  await page.screenshot({ path: screenshotPath('commissioning-7-logged-out.png') });
});

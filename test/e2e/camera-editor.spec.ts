/**
 * The camera editor on the Cameras tab at 1366×768: a second camera added through the form (after a
 * mistake the form names), its tile drawn with the boxes of the very preview the station sent, its
 * threshold edited, a camera the station refuses (its message shown, the input kept), and the
 * camera removed. A fresh station is in open commissioning: this client acts as administrator.
 */
import { test, expect, type Page } from '@playwright/test';
import { openStation, screenshotPath, startServe, type Served } from './ui-steps';

let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

type Box = number[];

/** Every camera preview the station sent this page, by `name:frameId`: [classId, x1, y1, x2, y2]. */
function recordPreviews(page: Page): Map<string, Box[]> {
  const seen = new Map<string, Box[]>();
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const msg = JSON.parse(payload) as {
        type?: string;
        ok?: boolean;
        result?: {
          name?: string;
          frameId?: number;
          jpegDataUrl?: string;
          objects?: { classId: number; box: number[] }[];
        };
      };
      const r = msg.result;
      if (msg.type !== 'response' || !msg.ok || !r?.jpegDataUrl || !r.objects) return;
      seen.set(
        `${r.name}:${r.frameId}`,
        r.objects.map((o) => [o.classId, ...o.box]),
      );
    }),
  );
  return seen;
}

async function editorState(page: Page, state: 'pending' | 'applied'): Promise<void> {
  await expect(page.getByTestId('camera-editor')).toHaveAttribute('data-state', state, { timeout: 30_000 });
}

test('add a camera, see its overlays, edit its threshold, a refusal keeps the input, remove it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const previews = recordPreviews(page);
  await openStation(page, served.url);
  await page.getByTestId('tab-cameras').click();
  await editorState(page, 'applied');
  await expect(page.getByTestId('camera-editor-list')).toContainText('No cameras beside the main one.');

  // A mistake the form catches before anything is sent.
  await page.getByTestId('camera-add').click();
  const form = page.getByTestId('camera-form');
  await form.getByTestId('camera-form-name').fill('main');
  await form.getByTestId('camera-form-source').fill('synthetic:?size=640x480&fps=8');
  await form.getByTestId('camera-form-model').selectOption('classic');
  await form.getByTestId('camera-form-keep').click();
  await expect(form.getByTestId('camera-form-problem-name')).toHaveText(
    '"main" is the station\'s own camera: choose another name',
  );
  await form.getByTestId('camera-form-name').fill('infeed');
  await form.getByTestId('camera-form-keep').click();
  await expect(form).toBeHidden();
  await expect(page.getByTestId('camera-row-infeed')).toHaveAttribute('data-row-state', 'new');
  await editorState(page, 'pending');
  // Nothing reaches the station before Apply.
  await expect(page.getByTestId('camera-grid').locator('button')).toHaveCount(1);
  await page.getByTestId('camera-editor').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('camera-editor-1-pending.png') });

  await page.getByTestId('camera-apply').click();
  await editorState(page, 'applied');
  await expect(page.getByTestId('camera-row-infeed')).toHaveAttribute('data-row-state', 'applied');
  const tile = page.getByTestId('camera-tile-infeed');
  await expect(tile).toHaveAttribute('data-state', 'live', { timeout: 60_000 });

  // The tile draws the objects of the preview it shows (the classic detector finds the moving parts
  // once it has learnt the background).
  const canvas = tile.getByTestId('camera-image-infeed');
  await expect
    .poll(async () => Number(await canvas.getAttribute('data-objects')), {
      message: 'the infeed tile draws objects',
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  const frameId = await canvas.getAttribute('data-frame-id');
  const drawn = JSON.parse((await canvas.getAttribute('data-boxes'))!) as Box[];
  expect(drawn).toEqual(previews.get(`infeed:${frameId}`));
  // Boxes stay in camera pixels: the canvas is the camera frame, scaled by CSS into the tile.
  await expect(canvas).toHaveAttribute('data-frame-size', '640x480');
  await expect(page.getByTestId('camera-image-main')).toHaveAttribute('data-frame-size', '640x360');
  await page.getByTestId('camera-grid').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('camera-editor-2-tile-overlays.png') });

  // Edit its threshold.
  await page.getByTestId('camera-edit-infeed').click();
  await expect(form.getByTestId('camera-form-conf')).toHaveValue('');
  await form.getByTestId('camera-form-conf').fill('0.6');
  await form.getByTestId('camera-form-keep').click();
  await expect(page.getByTestId('camera-row-infeed')).toHaveAttribute('data-row-state', 'changed');
  await page.getByTestId('camera-apply').click();
  await editorState(page, 'applied');
  // The row is the station's saved entry, read back after Apply.
  await expect(page.getByTestId('camera-row-infeed-conf')).toHaveText('0.6');

  // A camera the form accepts but the station refuses: a file outside the media folders.
  await page.getByTestId('camera-add').click();
  await form.getByTestId('camera-form-name').fill('dock');
  await form.getByTestId('camera-form-source').fill('file:/nonexistent/clip.mp4');
  await form.getByTestId('camera-form-keep').click();
  await page.getByTestId('camera-apply').click();
  const error = page.getByTestId('camera-editor-error');
  await expect(error).toContainText(
    'cameras[1] ("dock").source: file /nonexistent/clip.mp4 is not available',
  );
  await editorState(page, 'pending');
  // The camera it names is open again, with what was typed.
  await expect(form).toHaveAttribute('data-index', '1');
  await expect(form.getByTestId('camera-form-source')).toHaveValue('file:/nonexistent/clip.mp4');
  await expect(form.getByTestId('camera-form-name')).toHaveValue('dock');
  await expect(page.getByTestId('camera-grid').locator('button')).toHaveCount(2);
  await page.getByTestId('camera-editor').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('camera-editor-3-refused.png') });
  await form.getByTestId('camera-form-cancel').click();
  await page.getByTestId('camera-remove-dock').click();
  await editorState(page, 'applied');

  // Remove the camera: pending until Apply, then its tile goes.
  await page.getByTestId('camera-remove-infeed').click();
  await editorState(page, 'pending');
  await expect(page.getByTestId('camera-editor-removed')).toHaveText('Removed on Apply: infeed');
  await expect(tile).toBeVisible();
  await page.getByTestId('camera-apply').click();
  await editorState(page, 'applied');
  await expect(tile).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('camera-grid').locator('button')).toHaveCount(1);
});

test('without an administrator logged in, the editor says why it cannot be used', async ({ page }) => {
  test.setTimeout(120_000);
  const other = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic' });
  try {
    await openStation(page, other.url);
    // The first user ends open commissioning: this client is then logged out (view only).
    await page.getByTestId('tab-commissioning').click();
    await page.getByTestId('commission-section-users').click();
    await page.getByTestId('user-new-name').fill('ann');
    await page.getByTestId('user-new-role-administrator').click();
    await page.getByTestId('user-new-pin').fill('2468');
    await page.getByTestId('user-create').click();
    await expect(page.getByTestId('session-logged-out')).toBeVisible({ timeout: 30_000 });

    await page.getByTestId('tab-cameras').click();
    await expect(page.getByTestId('camera-editor-locked')).toHaveText(
      'Adding, editing and removing cameras needs an administrator: log in to change them.',
    );
    await expect(page.getByTestId('camera-add')).toBeDisabled();
    await expect(page.getByTestId('camera-apply')).toBeDisabled();
    await expect(page.getByTestId('camera-editor-list')).toHaveCount(0);
    await page.getByTestId('camera-editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('camera-editor-4-locked.png') });
  } finally {
    await other.close();
  }
});

import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { writeYoloSet } from '../helpers/eval-set';
import { openStation, screenshotPath, SHARED_MODELS, startServe, type Served } from './ui-steps';

// The classic detector serves the live line; the two shared COCO models are evaluated beside it on
// a labelled set of the shared photos, written into the station's data folder (where sets may be).
const MODELS = ['yolox-nano-coco-416', 'yolo11n-int8-coco-320'];
let served: Served;
let setDir: string;
test.beforeAll(async () => {
  served = await startServe({
    source: 'synthetic:?size=640x360&fps=10',
    model: 'classic',
    modelsDir: SHARED_MODELS,
  });
  setDir = writeYoloSet(join(served.dataDir, 'sets', 'photos'));
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1600, height: 1000 } });

test('the Evaluation tab runs two models, charts them against the 4 fps target, and a click activates one', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openStation(page, served.url);
  await page.getByTestId('tab-evaluation').click();
  const panel = page.getByTestId('evaluation-panel');
  await expect(panel).toBeVisible();

  // A set outside the station's folders is refused with the rule, and nothing runs.
  await page.getByTestId('eval-dataset').fill('/etc');
  // By file: the demo bundle has its own copy of yolox-nano, listed as a second entry.
  for (const m of MODELS)
    await page
      .locator(`[data-testid="eval-model"][data-path="${join(SHARED_MODELS, `${m}.onnx`)}"]`)
      .getByRole('checkbox')
      .check();
  await page.getByTestId('eval-start').click();
  await expect(page.getByTestId('eval-error')).toContainText(
    'labelled set /etc is not available to the station',
  );

  await page.getByTestId('eval-dataset').fill(setDir);
  await page.getByTestId('eval-start').click();
  await expect(page.getByTestId('eval-progress')).toBeVisible();
  await expect(page.getByTestId('eval-cancel')).toBeVisible();

  const chart = page.getByTestId('eval-speed-accuracy');
  await expect(chart).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('eval-error')).toHaveCount(0);
  await expect(chart).toHaveAttribute('data-target-fps', '4');
  await expect(chart).toContainText('4 fps target');
  for (const m of MODELS) {
    await expect(page.getByTestId(`eval-point-${m}`)).toBeVisible();
    await expect(page.getByTestId(`eval-row-${m}`)).toBeVisible();
  }
  await expect(page.getByTestId('eval-pr-curves')).toBeVisible();
  await expect(page.getByTestId('eval-confusion')).toBeVisible();
  // The live line kept its model while the run used its own worker.
  await expect(page.getByTestId('status-model-value')).toContainText('classic');
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('ui-evaluation-chart.png') });
  await page.getByTestId('eval-results-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('ui-evaluation-table.png') });

  // A click on a point in the chart makes that model the active one (the normal hot swap).
  await page.getByTestId('eval-point-yolo11n-int8-coco-320').click();
  await expect(page.getByTestId('status-model-value')).toContainText('yolo11n-int8-coco-320', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('eval-row-yolo11n-int8-coco-320').getByRole('button')).toHaveText('Active');
  await expect(page.getByTestId('eval-row-yolox-nano-coco-416').getByRole('button')).toHaveText('Use');
});

import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constantOutputModel } from '../helpers/onnx-builder';
import {
  drawnDetections,
  makeClip,
  openStation,
  screenshotPath,
  SHARED_MODELS,
  startServe,
  waitForNewFrame,
  type Served,
} from './ui-steps';

// The semantic view with DeepLabV3 (VOC, from ../shared/models with a sidecar giving its
// preprocessing), and rotated boxes and a pose skeleton from models built here, on a clip made
// from ../shared/images/person.jpg (1280×848). Photo credits: see ../shared/images/SOURCES.md.

const VOC21 =
  'background aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor'.split(
    ' ',
  );

let modelsDir: string;
let clip: ReturnType<typeof makeClip>;
let served: Served | undefined;

test.use({ viewport: { width: 1600, height: 1000 } });
test.beforeAll(() => {
  modelsDir = mkdtempSync(join(tmpdir(), 'vs-semui-models-'));
  clip = makeClip('person.jpg');
});
test.afterEach(async () => {
  await served?.close();
  served = undefined;
});
test.afterAll(() => {
  clip?.dispose();
  rmSync(modelsDir, { recursive: true, force: true });
});

/** Column-major [1, rows, n] values from per-anchor columns. */
function columns(cols: number[][]): Float32Array {
  const rows = cols[0]!.length;
  const n = cols.length;
  const data = new Float32Array(rows * n);
  cols.forEach((c, a) => c.forEach((v, r) => (data[r * n + a] = v)));
  return data;
}

async function serveModel(model: string, dataDir?: string): Promise<Served> {
  served = await startServe({
    source: `file:${clip.path}?loop=1`,
    model,
    modelsDir,
    ...(dataDir ? { dataDir } : {}),
  });
  return served;
}

/** DeepLabV3 from ../shared/models behind a symlink, with the sidecar giving its preprocessing. */
function deeplab(): string {
  const link = join(modelsDir, 'deeplab.onnx');
  if (existsSync(link)) return link;
  symlinkSync(join(SHARED_MODELS, 'deeplabv3-mnv2-voc21-257-nhwc.onnx'), link);
  writeFileSync(
    join(modelsDir, 'deeplab.json'),
    JSON.stringify({
      version: 2,
      task: 'semantic',
      names: VOC21,
      preprocess: {
        resize: 'stretch',
        channelOrder: 'rgb',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
    }),
  );
  return link;
}

test('semantic view: class map, legend with person and its share, opacity', async ({ page }) => {
  const link = deeplab();
  const s = await serveModel(link);
  await openStation(page, s.url);
  await waitForNewFrame(page, -1);
  // The detection view shows no class map and no legend.
  await expect(page.getByTestId('semantic-legend')).toHaveCount(0);
  await page.getByTestId('view-segmentation').click();
  const legend = page.getByTestId('semantic-legend');
  await expect(legend).toBeVisible();
  const person = legend.getByTestId('semantic-row').filter({ hasText: 'person' });
  await expect(person).toHaveCount(1);
  // MANIFEST.md: person 5 % of this photo (whole-photo shares); the legend shows whole percent.
  const share = (await person.getByTestId('semantic-share').textContent()) ?? '';
  expect(share).toMatch(/^\d+%$/);
  expect(Math.abs(Number(share.replace('%', '')) - 5)).toBeLessThanOrEqual(3);
  await expect(page.getByTestId('live-canvas')).toHaveAttribute('data-class-map', /.+/);
  // No calibration: no mm² column.
  await expect(legend.getByTestId('semantic-mm2')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('ui-semantic.png') });
  await page.getByTestId('semantic-opacity').fill('0.9');
  const after = await waitForNewFrame(page, -1);
  await waitForNewFrame(page, after);
  await page.getByTestId('live-canvas').screenshot({ path: screenshotPath('ui-semantic-opaque.png') });
});

test('a two-head model (TwinLiteNet): the head selector switches the class map', async ({ page }) => {
  const s = await serveModel(join(SHARED_MODELS, 'twinlitenet-bdd100k-drivable-lane-320.onnx'));
  await openStation(page, s.url);
  await waitForNewFrame(page, -1);
  await page.getByTestId('view-segmentation').click();
  const canvas = page.getByTestId('live-canvas');
  await expect(canvas).toHaveAttribute('data-class-map', 'drivable_area');
  const head = page.getByTestId('semantic-head');
  await expect(head.locator('option')).toHaveText(['drivable_area', 'lanes']);
  await head.selectOption({ label: 'lanes' });
  await expect(canvas).toHaveAttribute('data-class-map', 'lanes');
  await expect(page.getByTestId('semantic-row').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath('ui-semantic-heads.png') });
  // Back in the detection view, no class map is drawn.
  await page.getByTestId('view-detection').click();
  await expect(canvas).toHaveAttribute('data-class-map', '');
});

test('semantic view with a calibration: each class has its area in mm²', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vs-semui-data-'));
  try {
    // 0.5 mm per pixel each way: a class of n pixels covers n / 4 mm².
    writeFileSync(
      join(dataDir, 'settings.json'),
      JSON.stringify({ plc: { homographyPxToMm: [0.5, 0, 0, 0, 0.5, 0, 0, 0, 1] } }),
    );
    const s = await serveModel(deeplab(), dataDir);
    await openStation(page, s.url);
    await waitForNewFrame(page, -1);
    await page.getByTestId('view-segmentation').click();
    const person = page.getByTestId('semantic-row').filter({ hasText: 'person' });
    await expect(person).toHaveCount(1);
    // Frozen, the row's pixels and mm² are read from one and the same frame.
    await page.getByTestId('live-pause').click();
    await expect(page.getByTestId('live-canvas')).toHaveAttribute('data-paused', 'true');
    const pixels = Number(((await person.locator('td').nth(2).textContent()) ?? '').replace(/,/g, ''));
    const mm2 = Number(((await person.getByTestId('semantic-mm2').textContent()) ?? '').replace(/,/g, ''));
    expect(pixels).toBeGreaterThan(0);
    expect(Math.abs(mm2 - pixels / 4)).toBeLessThanOrEqual(0.5);
    await page.screenshot({ path: screenshotPath('ui-semantic-mm2.png') });
  } finally {
    await served?.close();
    served = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('rotated boxes from an OBB model built here', async ({ page }) => {
  const rad = (d: number) => (d * Math.PI) / 180;
  // Model space 64×64 (letterboxed: the 1280×848 clip fills rows 10.8..53.2). cx, cy, w, h,
  // score(plate), score(bolt), angle.
  const cols = [
    [20, 26, 22, 8, 0.9, 0.0, rad(30)],
    [44, 26, 18, 6, 0.0, 0.85, rad(-45)],
    [32, 40, 20, 6, 0.8, 0.0, rad(80)],
  ];
  const model = join(modelsDir, 'obb.onnx');
  writeFileSync(
    model,
    constantOutputModel(
      { name: 'images', dims: [1, 3, 64, 64] },
      [{ name: 'output0', dims: [1, 7, cols.length], values: columns(cols) }],
      { names: "{0: 'plate', 1: 'bolt'}", task: 'obb', imgsz: '[64, 64]' },
    ),
  );
  const s = await serveModel(model);
  await openStation(page, s.url);
  await waitForNewFrame(page, -1);
  await expect.poll(() => drawnDetections(page), { message: 'three rotated boxes drawn' }).toBe(3);
  // The table gives each rotated box its own sides and angle, in photo pixels: 20 per model pixel
  // across; down, ffmpeg places the 848 rows on 42 whole model rows (20.19 per model pixel), so
  // the box is mapped back through that exact placement: sides within 1 %, angle within 0.5°.
  const bolt = page.getByTestId('detection-row').filter({ hasText: 'bolt' });
  await expect(bolt).toHaveCount(1);
  const cells = (await bolt.locator('td').allTextContents()).map((c) => c.replace(/[,°]/g, ''));
  const [width, height, angle] = [Number(cells[5]), Number(cells[6]), Number(cells[7])];
  expect(Math.abs(width - 360) / 360).toBeLessThan(0.01);
  expect(Math.abs(height - 120) / 120).toBeLessThan(0.01);
  expect(Math.abs(angle - -45)).toBeLessThan(0.5);
  await page.screenshot({ path: screenshotPath('ui-obb.png') });
});

test('pose skeleton from a 17-keypoint model built here', async ({ page }) => {
  // COCO-17 stick figure in the 64×64 model space, every point visible but the right wrist.
  const kps: [number, number, number][] = [
    [32, 16, 0.9],
    [33, 15, 0.9],
    [31, 15, 0.9],
    [34, 16, 0.9],
    [30, 16, 0.9],
    [36, 21, 0.9],
    [28, 21, 0.9],
    [39, 28, 0.9],
    [25, 28, 0.9],
    [41, 34, 0.9],
    [23, 34, 0.2],
    [35, 34, 0.9],
    [29, 34, 0.9],
    [36, 42, 0.9],
    [28, 42, 0.9],
    [37, 50, 0.9],
    [27, 50, 0.9],
  ];
  const cols = [[32, 33, 22, 38, 0.9, ...kps.flat()]];
  const model = join(modelsDir, 'pose.onnx');
  writeFileSync(
    model,
    constantOutputModel(
      { name: 'images', dims: [1, 3, 64, 64] },
      [{ name: 'output0', dims: [1, 5 + 17 * 3, 1], values: columns(cols) }],
      { names: "{0: 'person'}", task: 'pose', kpt_shape: '[17, 3]', imgsz: '[64, 64]' },
    ),
  );
  const s = await serveModel(model);
  await openStation(page, s.url);
  await waitForNewFrame(page, -1);
  await expect.poll(() => drawnDetections(page), { message: 'one person with keypoints drawn' }).toBe(1);
  // A few frames on, the station's figures (FPS, PLC writes) have caught up for the screenshot.
  await waitForNewFrame(page, (await waitForNewFrame(page, -1)) + 10);
  await page.screenshot({ path: screenshotPath('ui-pose.png') });
});

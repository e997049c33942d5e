import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { RecordingIndex } from '../../src/main/recording/index-db';
import { indexPath } from '../../src/main/recording/layout';
import {
  openStation,
  ROOT,
  screenshotPath,
  SHARED_IMAGES,
  SHARED_MODELS,
  startServe,
  type Served,
} from './ui-steps';

// A recording made by `run --record` from a clip (five frames of dog.jpg, then five of person.jpg)
// in the station's recordings folder; the Review tab opens it while the live line runs on.
const CONF = 0.3;
let served: Served;
let recDir: string;

test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic' });
  const clip = join(served.dataDir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v', 'error', '-loop', '1', '-t', '0.5', '-i', join(SHARED_IMAGES, 'dog.jpg'), '-loop', '1', '-t', '0.5', '-i', join(SHARED_IMAGES, 'person.jpg'),
    '-filter_complex', '[0]scale=640:480,setsar=1,fps=10[a];[1]scale=640:480,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip,
  ]); // prettier-ignore
  recDir = join(served.dataDir, 'recordings', 'line1');
  execFileSync(process.execPath, [
    'bin/vision-station.js', 'run', '--source', `file:${clip}?fps=max`, '--model', join(SHARED_MODELS, 'yolox-nano-coco-416.onnx'),
    '--conf', String(CONF), '--record', recDir, '--segment-s', '1', '--event-class', 'person',
  ], { cwd: ROOT, stdio: 'ignore' }); // prettier-ignore
});
test.afterAll(async () => {
  await served?.close();
});
test.use({ viewport: { width: 1366, height: 768 } });

type Box = [number, number, number, number, number];

/** What the recording stores for a frame: [classId, x1, y1, x2, y2] of each object at or above the threshold. */
function storedBoxes(frameNo: number): { timeMs: number; boxes: Box[] } {
  const index = new RecordingIndex(indexPath(recDir), { create: false, readonly: true });
  try {
    const frame = index.frames().find((f) => f.frameNo === frameNo)!;
    const boxes = index
      .result('live', frameNo)!
      .detections.filter((d) => d.score >= CONF)
      .map((d): Box => [d.classId, ...d.box]);
    return { timeMs: frame.captureTimeMs, boxes };
  } finally {
    index.close();
  }
}

function recording() {
  const index = new RecordingIndex(indexPath(recDir), { create: false, readonly: true });
  try {
    const frames = index.frames();
    const objects = frames.reduce(
      (s, f) => s + index.result('live', f.frameNo)!.detections.filter((d) => d.score >= CONF).length,
      0,
    );
    const person = index.events('live').find((e) => e.kind === 'class' && e.label === 'person')!;
    return { frames, objects, person };
  } finally {
    index.close();
  }
}

/** The frame the canvas shows, once drawn, and the boxes drawn on it. */
async function drawn(page: Page, frameNo: number): Promise<Box[]> {
  const canvas = page.getByTestId('review-canvas');
  await expect(canvas).toHaveAttribute('data-frame-no', String(frameNo));
  return JSON.parse((await canvas.getAttribute('data-boxes'))!) as Box[];
}

test('the Review tab opens a recording, steps frames, draws the stored results, jumps to an event and exports', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const rec = recording();
  expect(rec.frames).toHaveLength(10);
  await openStation(page, served.url);
  await page.getByTestId('tab-review').click();
  await page.getByTestId('review-recording').selectOption('recordings/line1');
  await expect(page.getByTestId('review-panel')).toBeVisible();

  // The first frame, then two forward and one back: each drawn with its own stored results.
  const first = rec.frames[0]!.frameNo;
  expect(await drawn(page, first)).toEqual(storedBoxes(first).boxes);
  await expect(page.getByTestId('review-frame-no')).toHaveText(String(first));
  await page.screenshot({ path: screenshotPath('review-open.png') });
  await page.getByTestId('review-step-forward').click();
  expect(await drawn(page, first + 1)).toEqual(storedBoxes(first + 1).boxes);
  await page.getByTestId('review-step-forward').click();
  expect(await drawn(page, first + 2)).toEqual(storedBoxes(first + 2).boxes);
  await page.getByTestId('review-step-back').click();
  expect(await drawn(page, first + 1)).toEqual(storedBoxes(first + 1).boxes);
  // The detections table lists the same objects.
  await expect(page.getByTestId('review-detection-row')).toHaveCount(storedBoxes(first + 1).boxes.length);

  // Next event: the first frame with a person (the recording's `person` class event).
  await page.getByTestId('review-next-event').click();
  const personFrame = rec.frames.find((f) => f.captureTimeMs === rec.person.firstMs)!;
  const boxes = await drawn(page, personFrame.frameNo);
  expect(boxes).toEqual(storedBoxes(personFrame.frameNo).boxes);
  expect(boxes.some((b) => b[0] === 0)).toBe(true); // COCO class 0: person
  await page.screenshot({ path: screenshotPath('review-event.png') });

  // Export the visible range (the whole recording) as CSV: one row per object under a header.
  await page.getByTestId('review-export-format').selectOption('csv');
  await page.getByTestId('review-export').click();
  const result = page.getByTestId('review-export-result');
  await expect(result).toContainText(`Exported 10 frames, ${rec.objects} objects to `);
  const path = (await result.textContent())!.replace(/^.* objects to /, '');
  expect(path.startsWith(join(served.dataDir, 'exports'))).toBe(true);
  expect(existsSync(path)).toBe(true);
  const rows = readFileSync(path, 'utf8').trim().split('\n');
  expect(rows.length - 1).toBe(rec.objects);
  // The event under the playhead (the person event), one class: the frames of that event that
  // hold a person, each with all its objects (a labeller needs every object of an image).
  await page.getByTestId('review-export-selection').selectOption('event');
  await page.getByTestId('review-export-class').selectOption('person');
  await page.getByTestId('review-export').click();
  await expect(result).toContainText(`Exported ${rec.person.frames} frames, `);
  const eventPath = (await result.textContent())!.replace(/^.* objects to /, '');
  expect(eventPath).not.toBe(path);
  const [head, ...eventRows] = readFileSync(eventPath, 'utf8').trim().split('\n');
  const col = (name: string) => head!.split(',').indexOf(name);
  const byFrame = new Map<string, string[]>();
  for (const r of eventRows) {
    const cells = r.split(',');
    byFrame.set(cells[col('frame_no')]!, [
      ...(byFrame.get(cells[col('frame_no')]!) ?? []),
      cells[col('class_name')]!,
    ]);
  }
  expect(byFrame.size).toBe(rec.person.frames);
  expect([...byFrame.values()].every((classes) => classes.includes('person'))).toBe(true);
  await result.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('review-export.png') });

  // Re-run with the classic detector into a new track (progress, then done), then compare.
  await page.getByTestId('rerun-model').selectOption('classic');
  await page.getByTestId('rerun-out').fill('classic1');
  await page.getByTestId('rerun-start').click();
  await expect(page.getByTestId('rerun-progress')).toContainText('classic1: done, 10 frames', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('review-track').locator('option')).toHaveCount(2);
  await page.getByTestId('compare-b').selectOption('classic1');
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-summary')).toContainText(/\d+ of 10 frames differ/);
  // The live line kept its model while the re-run used its own worker.
  await expect(page.getByTestId('status-model-value')).toContainText('classic');
  await page.getByTestId('compare-summary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('review-compare.png') });
});

/**
 * The classic detector on real conveyor footage.
 *
 * Footage: `fruit-and-vegetable-detection.gif` from Intel IoT DevKit sample-videos
 * (github.com/intel-iot-devkit/sample-videos), CC BY 4.0. Read from the shared folder, never copied.
 *
 * Ground truth from the shared folder's SOURCES.md: 480×270, 101 frames, belt running right to
 * left at about 16 px/frame; frames 0 and 53 show the empty belt; four items, each crossing
 * x = 240 between two given frames, with the frames they are visible in and their widths.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../src/shared/detection';
import { ClassicDetector } from '../../src/main/core/classic';
import { FOOTAGE_DIR } from '../helpers/paths';

const CLIP = resolve(FOOTAGE_DIR, 'fruit-and-vegetable-detection.gif');
const W = 480;
const H = 270;
const FRAME_BYTES = W * H * 3;
const FRAME_COUNT = 101;
const SPEED_PX_PER_FRAME = 16;
const LINE_X = 240;

interface Item {
  name: string;
  firstVisible: number;
  lastVisible: number;
  widthPx: number;
  /** Crosses x = 240 between this frame and the next. */
  crossesAfter: number;
}

const ITEMS: Item[] = [
  { name: 'green apple', firstVisible: 1, lastVisible: 33, widthPx: 63, crossesAfter: 17 },
  { name: 'broccoli', firstVisible: 14, lastVisible: 52, widthPx: 157, crossesAfter: 33 },
  { name: 'cauliflower', firstVisible: 54, lastVisible: 88, widthPx: 110, crossesAfter: 72 },
  { name: 'orange', firstVisible: 76, lastVisible: 100, widthPx: 75, crossesAfter: 92 },
];

/**
 * Frames in which the item is fully in view: it takes width / speed frames to come fully in
 * and as many to leave; one more frame each side absorbs the "about" in the widths.
 */
function fullyInView(item: Item): number[] {
  const edgeFrames = Math.ceil(item.widthPx / SPEED_PX_PER_FRAME) + 1;
  const first = item.firstVisible + edgeFrames;
  const last = item.lastVisible === FRAME_COUNT - 1 ? item.lastVisible : item.lastVisible - edgeFrames;
  const frames: number[] = [];
  for (let f = first; f <= last; f++) frames.push(f);
  return frames;
}

/** Expected centre x from the crossing frames and the belt speed. */
function expectedCentreX(item: Item, frame: number): number {
  return LINE_X - SPEED_PX_PER_FRAME * (frame - (item.crossesAfter + 0.5));
}

/** SOURCES.md gives widths as "about": 20 % either way, and centres drift by ~1 px/frame of speed error. */
function matchesItem(d: Detection, item: Item, frame: number): boolean {
  const centreX = (d.box[0] + d.box[2]) / 2;
  const widthPx = d.box[2] - d.box[0];
  return (
    Math.abs(centreX - expectedCentreX(item, frame)) <= 24 && Math.abs(widthPx / item.widthPx - 1) <= 0.2
  );
}

let frames: Uint8Array;

beforeAll(() => {
  if (!existsSync(CLIP))
    throw new Error(`footage ${CLIP} is missing; set VISION_STATION_SHARED to the shared folder`);
  frames = execFileSync('ffmpeg', ['-v', 'error', '-i', CLIP, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: FRAME_BYTES * (FRAME_COUNT + 1),
  });
  expect(frames.length).toBe(FRAME_BYTES * FRAME_COUNT);
});

function frame(index: number): Uint8Array {
  return frames.subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES);
}

/** Runs the detector over the whole clip; returns detections per frame (null while learning). */
function runClip(det: ClassicDetector): (Detection[] | null)[] {
  const out: (Detection[] | null)[] = [];
  for (let f = 0; f < FRAME_COUNT; f++) {
    const learningBefore = det.state.learning;
    const found = det.detect(frame(f), W, H);
    out.push(learningBefore ? null : found);
  }
  return out;
}

function checkClip(perFrame: (Detection[] | null)[]): { itemFrames: number } {
  let itemFrames = 0;
  for (const item of ITEMS) {
    for (const f of fullyInView(item)) {
      const found = perFrame[f];
      if (found === null) continue;
      const matches = found.filter((d) => matchesItem(d, item, f));
      expect(matches, `${item.name} at frame ${f}: ${JSON.stringify(found.map((d) => d.box))}`).toHaveLength(
        1,
      );
      itemFrames++;
    }
  }
  // Nothing but the items: every detection in a frame where all visible items are well inside
  // (not just entering or leaving) belongs to one of them.
  for (let f = 0; f < FRAME_COUNT; f++) {
    const found = perFrame[f];
    if (found === null) continue;
    const visible = ITEMS.filter((i) => f >= i.firstVisible && f <= i.lastVisible);
    const edgy = visible.some(
      (i) => f <= i.firstVisible + 1 || (f >= i.lastVisible - 1 && i.lastVisible !== FRAME_COUNT - 1),
    );
    if (edgy) continue;
    expect(found.length, `frame ${f}: ${JSON.stringify(found.map((d) => d.box))}`).toBe(visible.length);
  }
  return { itemFrames };
}

describe('classic detector on real conveyor footage (Intel IoT DevKit sample-videos, CC BY 4.0)', () => {
  it('with a background learned from the first frames, finds each of the four items while fully in view', () => {
    const det = new ClassicDetector();
    const perFrame = runClip(det);
    expect(perFrame.slice(0, det.options.learnFrames).every((f) => f === null)).toBe(true);
    const { itemFrames } = checkClip(perFrame);
    // The apple is partly hidden by learning (frames 0–14); everything else is checked.
    expect(itemFrames).toBeGreaterThanOrEqual(60);
    expect(perFrame[53]).toEqual([]);
  });

  it('with the empty belt of frame 0 as reference, finds them from the first frame on', () => {
    const det = new ClassicDetector();
    det.setReferenceFrame(frame(0), W, H);
    const perFrame = runClip(det);
    const { itemFrames } = checkClip(perFrame);
    const expectedItemFrames = ITEMS.reduce((n, i) => n + fullyInView(i).length, 0);
    expect(itemFrames).toBe(expectedItemFrames);
    expect(perFrame[0]).toEqual([]);
    expect(perFrame[53]).toEqual([]);
    // SOURCES.md: the orange spans x ≈ 68 to 151 in the last frame.
    const orange = perFrame[100]!;
    expect(orange).toHaveLength(1);
    expect(Math.abs(orange[0].box[0] - 68)).toBeLessThanOrEqual(6);
    expect(Math.abs(orange[0].box[2] - 151)).toBeLessThanOrEqual(6);
  });

  it('sees each item cross x = 240 right to left between the frames SOURCES.md gives', () => {
    const det = new ClassicDetector();
    det.setReferenceFrame(frame(0), W, H);
    const perFrame = runClip(det);
    for (const item of ITEMS) {
      const centre = (f: number): number => {
        const d = perFrame[f]!.find((x) => matchesItem(x, item, f));
        expect(d, `${item.name} at frame ${f}`).toBeDefined();
        return (d!.box[0] + d!.box[2]) / 2;
      };
      expect(centre(item.crossesAfter), item.name).toBeGreaterThan(LINE_X);
      expect(centre(item.crossesAfter + 1), item.name).toBeLessThan(LINE_X);
    }
  });
});

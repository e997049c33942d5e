/**
 * The classic detector under slowly drifting light: exposure rising 35 % over the clip, unevenly
 * across the frame (the right side brightens more, as when daylight comes in from one side).
 * Every detection must be a real part; the fixed background of before gives phantoms on the same
 * frames, which shows the test can tell the two apart.
 */
import { describe, expect, it } from 'vitest';
import {
  ClassicDetector,
  parseClassicOptionsArg,
  type ClassicDetectorOptionsInput,
} from '../../src/main/core/classic';
import { iouXyxy } from '../../src/main/core/geometry';
import { renderSyntheticFrame } from '../../src/main/core/synthetic-scene';

const W = 256;
const H = 144;
const FRAMES = 150;
const MAX_EXTRA_GAIN = 0.35;

/** Frame `f` as the drifting camera sees it. */
function driftedFrame(f: number, out: Uint8Array, rects: [number, number, number, number][] = []) {
  const { rgb, parts } = renderSyntheticFrame(f, W, H, out);
  for (const [x1, y1, x2, y2] of rects)
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) rgb.set([200, 30, 200], (y * W + x) * 3);
  const extra = (MAX_EXTRA_GAIN * f) / FRAMES;
  for (let y = 0, i = 0; y < H; y++)
    for (let x = 0; x < W; x++, i += 3) {
      const g = 1 + extra * (0.4 + (0.6 * x) / W);
      rgb[i] = Math.min(255, Math.round(rgb[i] * g));
      rgb[i + 1] = Math.min(255, Math.round(rgb[i + 1] * g * 0.97));
      rgb[i + 2] = Math.min(255, Math.round(rgb[i + 2] * g * 1.02));
    }
  return { rgb, parts };
}

function phantomsOver(options: ClassicDetectorOptionsInput): { phantoms: number; detections: number } {
  const detector = new ClassicDetector({ learnFrames: 5, includeRle: false, minAreaPx: 100, ...options });
  const buffer = new Uint8Array(W * H * 3);
  let phantoms = 0;
  let detections = 0;
  for (let f = 0; f < FRAMES; f++) {
    const { rgb, parts } = driftedFrame(f, buffer);
    for (const d of detector.detect(rgb, W, H)) {
      detections++;
      if (!parts.some((p) => iouXyxy(d.box, p.boxXyxy) > 0.3)) phantoms++;
    }
  }
  return { phantoms, detections };
}

describe('classic detector under drifting light', () => {
  it('finds only real parts while the light drifts (and a fixed background would not)', () => {
    const adaptive = phantomsOver({});
    expect(adaptive.phantoms).toBe(0);
    expect(adaptive.detections).toBeGreaterThan(100);
    const fixed = phantomsOver({ adaptRate: 0, gainCompensation: false });
    expect(fixed.phantoms).toBeGreaterThan(50);
  });

  it('gain compensation alone covers a global exposure step', () => {
    const detector = new ClassicDetector({ learnFrames: 1, includeRle: false, adaptRate: 0 });
    const flat = new Uint8Array(W * H * 3).fill(100);
    detector.detect(flat, W, H);
    const brighter = new Uint8Array(W * H * 3).fill(130);
    expect(detector.detect(brighter, W, H)).toEqual([]);
    expect(detector.channelGains.map((g) => Math.round(g * 100))).toEqual([130, 130, 130]);
  });

  it('does not absorb a part that stops on the belt, through the drift', () => {
    const detector = new ClassicDetector({ learnFrames: 5, includeRle: false, minAreaPx: 100 });
    const buffer = new Uint8Array(W * H * 3);
    // On the upper rail, clear of the moving parts (a part touching it would merge into one blob).
    const parked: [number, number, number, number] = [200, 1, 240, 16];
    let seenLast = 0;
    for (let f = 0; f < FRAMES; f++) {
      const { rgb } = driftedFrame(f, buffer, f >= 10 ? [parked] : []);
      const found = detector.detect(rgb, W, H).filter((d) => iouXyxy(d.box, parked) > 0.9);
      if (f >= 10) expect(found, `frame ${f}`).toHaveLength(1);
      seenLast = found.length;
    }
    expect(seenLast).toBe(1);
  });

  it('reports learning until the background is known', () => {
    const detector = new ClassicDetector({ learnFrames: 3 });
    const frame = new Uint8Array(W * H * 3).fill(90);
    const states = [0, 1, 2, 3].map(() => {
      detector.detect(frame, W, H);
      return [detector.lastFrameWasLearning, detector.state.learning];
    });
    // The third frame completes the background: it was still a learning frame.
    expect(states).toEqual([
      [true, true],
      [true, true],
      [true, false],
      [false, false],
    ]);
  });
});

describe('--classic option text', () => {
  it('parses NAME=VALUE pairs, threshold meaning diffThreshold', () => {
    const o = parseClassicOptionsArg('learnFrames=1,threshold=45,minAreaPx=200,maxAreaPx=90000');
    expect(o).toMatchObject({
      learnFrames: 1,
      diffThreshold: 45,
      minAreaPx: 200,
      maxAreaPx: 90000,
      adaptRate: 0.05,
    });
    expect(parseClassicOptionsArg('gainCompensation=false,adaptRate=0').gainCompensation).toBe(false);
  });

  it('refuses malformed text and bad values, naming the field', () => {
    expect(() => parseClassicOptionsArg('learnFrames')).toThrow(/must be NAME=VALUE/);
    expect(() => parseClassicOptionsArg('learnFrames=0')).toThrow(/classic detector learnFrames/);
    expect(() => parseClassicOptionsArg('threshold=abc')).toThrow(/diffThreshold/);
    expect(() => parseClassicOptionsArg('colour=1')).toThrow(/classic detector/);
  });
});

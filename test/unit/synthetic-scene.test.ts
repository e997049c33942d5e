import { describe, expect, it } from 'vitest';
import {
  renderSyntheticFrame,
  syntheticSceneGeometry,
  SYNTHETIC_LEAD_IN_FRAMES,
  SYNTHETIC_SPAWN_PERIOD_FRAMES,
  type SyntheticPart,
} from '../../src/main/core/synthetic-scene';

const W = 1280;
const H = 720;
/** Per-channel noise amplitude the scene promises (sensor noise only, no texture on parts). */
const NOISE = 3;

function pixelsOfColour(
  rgb: Uint8Array,
  widthPx: number,
  heightPx: number,
  colour: [number, number, number],
): {
  count: number;
  box: [number, number, number, number];
} {
  let count = 0;
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = (y * widthPx + x) * 3;
      if (
        Math.abs(rgb[i] - colour[0]) <= NOISE &&
        Math.abs(rgb[i + 1] - colour[1]) <= NOISE &&
        Math.abs(rgb[i + 2] - colour[2]) <= NOISE
      ) {
        count++;
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x + 1);
        box[3] = Math.max(box[3], y + 1);
      }
    }
  }
  return { count, box };
}

describe('renderSyntheticFrame', () => {
  it('is deterministic, and reuses the output buffer when it fits', () => {
    const a = renderSyntheticFrame(321, W, H);
    const out = new Uint8Array(W * H * 3);
    const b = renderSyntheticFrame(321, W, H, out);
    expect(b.rgb).toBe(out);
    expect(Buffer.from(b.rgb).equals(Buffer.from(a.rgb))).toBe(true);
    expect(b.parts).toEqual(a.parts);
    // The word-wise noise pass needs 4-byte alignment; a misaligned view must give the same bytes.
    const misaligned = new Uint8Array(new ArrayBuffer(W * H * 3 + 1), 1, W * H * 3);
    renderSyntheticFrame(321, W, H, misaligned);
    expect(Buffer.from(misaligned).equals(Buffer.from(a.rgb))).toBe(true);
    // A buffer of the wrong size is not written into.
    const small = new Uint8Array(10);
    expect(renderSyntheticFrame(321, W, H, small).rgb).not.toBe(small);
  });

  it('shows an empty belt during the lead-in, with per-frame noise of at most ±3 per channel', () => {
    const f0 = renderSyntheticFrame(0, W, H);
    const f1 = renderSyntheticFrame(1, W, H);
    expect(f0.parts).toEqual([]);
    expect(renderSyntheticFrame(SYNTHETIC_LEAD_IN_FRAMES - 1, W, H).parts).toEqual([]);
    let maxDelta = 0;
    let changed = 0;
    for (let i = 0; i < f0.rgb.length; i++) {
      const d = Math.abs(f0.rgb[i] - f1.rgb[i]);
      if (d > 0) changed++;
      if (d > maxDelta) maxDelta = d;
    }
    expect(maxDelta).toBeLessThanOrEqual(2 * NOISE);
    expect(changed).toBeGreaterThan(f0.rgb.length / 2);
  });

  it('draws every part exactly where its ground truth says (pixel count and tight box)', () => {
    for (const frameIndex of [70, 201, 333, 650]) {
      const { rgb, parts } = renderSyntheticFrame(frameIndex, W, H);
      expect(parts.length).toBeGreaterThan(0);
      // Parts sharing a colour would be counted together; the scene's hash makes that rare, so
      // check only colours used once in this frame.
      const byColour = new Map<string, SyntheticPart[]>();
      for (const p of parts)
        byColour.set(p.colourRgb.join(), [...(byColour.get(p.colourRgb.join()) ?? []), p]);
      let checked = 0;
      for (const [, same] of byColour) {
        if (same.length !== 1) continue;
        const p = same[0];
        const found = pixelsOfColour(rgb, W, H, p.colourRgb);
        expect(found.count, `part ${p.id} at frame ${frameIndex}`).toBe(p.areaPx);
        expect(found.box).toEqual(p.boxXyxy);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    }
  });

  it('moves every part right at a constant speed, and keeps 3 to 6 parts in view once running', () => {
    const geometry = syntheticSceneGeometry(W, H);
    expect(geometry.speedPxPerFrame).toBe(8);
    const a = renderSyntheticFrame(400, W, H).parts;
    const b = renderSyntheticFrame(401, W, H).parts;
    const common = a.filter((p) => b.some((q) => q.id === p.id));
    expect(common.length).toBeGreaterThanOrEqual(3);
    for (const p of common) {
      const q = b.find((r) => r.id === p.id)!;
      expect(q.centreXy[0] - p.centreXy[0]).toBeCloseTo(8, 9);
      expect(q.centreXy[1]).toBe(p.centreXy[1]);
    }
    for (let f = 200; f < 2000; f += 11) {
      const n = renderSyntheticFrame(f, W, H).parts.length;
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
    }
  });

  it('lets parts enter at the left and leave at the right, cut by the edge meanwhile', () => {
    // 12 frames after its spawn a part's centre is at -72 + 12 × 8 = 24 px: in view, and cut by
    // the edge whatever its shape (every shape reaches at least 42 px from its centre).
    const entering = renderSyntheticFrame(SYNTHETIC_LEAD_IN_FRAMES + 12, W, H).parts;
    expect(entering.map((p) => p.id)).toEqual([0]);
    expect(entering[0].fullyInFrame).toBe(false);
    expect(entering[0].boxXyxy[0]).toBe(0);
    // Part 0 travels width + 2 × max radius (2 × 72) at 8 px/frame, then is gone.
    const gone = SYNTHETIC_LEAD_IN_FRAMES + Math.ceil((W + 144) / 8) + 1;
    expect(renderSyntheticFrame(gone, W, H).parts.map((p) => p.id)).not.toContain(0);
    const leaving = renderSyntheticFrame(gone - 6, W, H).parts.find((p) => p.id === 0)!;
    expect(leaving.fullyInFrame).toBe(false);
    expect(leaving.boxXyxy[2]).toBe(W);
    // Spawns are periodic.
    expect(
      renderSyntheticFrame(SYNTHETIC_LEAD_IN_FRAMES + SYNTHETIC_SPAWN_PERIOD_FRAMES + 12, W, H).parts.map(
        (p) => p.id,
      ),
    ).toEqual([0, 1]);
  });

  it('varies shapes, colours and rotation across parts', () => {
    const seen = new Map<number, SyntheticPart>();
    for (let f = 60; f < 60 + 12 * SYNTHETIC_SPAWN_PERIOD_FRAMES; f += 8) {
      for (const p of renderSyntheticFrame(f, W, H).parts) if (p.fullyInFrame) seen.set(p.id, p);
    }
    const parts = [...seen.values()];
    expect(new Set(parts.map((p) => p.shape))).toEqual(new Set(['rect', 'disc', 'ellipse', 'hexagon']));
    expect(new Set(parts.map((p) => p.colourRgb.join())).size).toBeGreaterThanOrEqual(4);
    expect(parts.some((p) => p.shape === 'rect' && p.angleDeg !== 0)).toBe(true);
    expect(parts.some((p) => p.shape === 'rect' && p.angleDeg === 0)).toBe(true);
    for (const p of parts) {
      expect(p.angleDeg).toBeGreaterThan(-90);
      expect(p.angleDeg).toBeLessThanOrEqual(90);
    }
  });

  it('scales the layout with the frame size', () => {
    const full = renderSyntheticFrame(500, W, H).parts;
    const half = renderSyntheticFrame(500, W / 2, H / 2).parts;
    expect(half.map((p) => p.id)).toEqual(full.map((p) => p.id));
    for (let k = 0; k < full.length; k++) {
      expect(half[k].centreXy[0]).toBeCloseTo(full[k].centreXy[0] / 2, 9);
      expect(half[k].centreXy[1]).toBeCloseTo(full[k].centreXy[1] / 2, 9);
    }
  });

  it('refuses sizes and frame indices out of bounds', () => {
    expect(() => renderSyntheticFrame(-1, W, H)).toThrow(RangeError);
    expect(() => renderSyntheticFrame(1.5, W, H)).toThrow(/non-negative integer/);
    expect(() => renderSyntheticFrame(0, 0, H)).toThrow(/width/);
    expect(() => renderSyntheticFrame(0, W, 100_000)).toThrow(/height/);
  });
});

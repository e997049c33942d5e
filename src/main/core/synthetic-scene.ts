/**
 * The built-in demo scene: a ceiling camera looking down on a conveyor belt that carries parts
 * left to right. Pure and deterministic: the same `(frameIndex, widthPx, heightPx)` always gives
 * the same bytes and the same ground truth, so tests and the classic detector can be checked
 * against it exactly, and the `synthetic:` source needs no files.
 *
 * Layout is defined on a 1280×720 reference frame and scaled uniformly by
 * `min(widthPx / 1280, heightPx / 720)` for sizes and speed; the belt spans the frame width.
 * The belt starts empty for {@link SYNTHETIC_LEAD_IN_FRAMES} frames (the line is started empty,
 * which is also when a background model gets learned), then a part enters at the left edge every
 * {@link SYNTHETIC_SPAWN_PERIOD_FRAMES} frames, forever. Consecutive parts are far enough apart in
 * x that no two ever touch, so "one part = one blob" holds for every frame.
 *
 * Angles follow the image convention used by MaskInfo: degrees in (-90, 90], measured from +x
 * towards +y (clockwise on screen, since y points down).
 */

export type SyntheticShape = 'rect' | 'disc' | 'ellipse' | 'hexagon';

export interface SyntheticPart {
  /** Sequence number of the part on the belt (0 = first part ever fed in). */
  id: number;
  shape: SyntheticShape;
  /** Geometric centre, continuous pixel coordinates (pixel x covers [x, x + 1)); may lie outside the frame. */
  centreXy: [number, number];
  /** Tight box of the pixels drawn in this frame, [x1, y1, x2, y2) with exclusive x2/y2, clipped to the frame. */
  boxXyxy: [number, number, number, number];
  /** Orientation of the part's long axis, degrees in (-90, 90]; 0 for discs; hexagons report their rotation modulo 60°, mapped into (-30, 30]. */
  angleDeg: number;
  /** Pixels drawn for this part in this frame (only the part of it inside the frame). */
  areaPx: number;
  /** True when no pixel of the part is cut by the frame edge. */
  fullyInFrame: boolean;
  /** Fill colour, RGB. */
  colourRgb: [number, number, number];
}

export interface SyntheticFrame {
  /** Packed RGB24, row-major, `widthPx * heightPx * 3` bytes. */
  rgb: Uint8Array;
  parts: SyntheticPart[];
}

const REFERENCE_WIDTH_PX = 1280;
const REFERENCE_HEIGHT_PX = 720;
/** Bounds keep a typo in a URI from allocating gigabytes. */
export const SYNTHETIC_MAX_SIDE_PX = 7680;
export const SYNTHETIC_MIN_SIDE_PX = 64;

/** Frames of empty belt before the first part's leading edge reaches the left edge. */
export const SYNTHETIC_LEAD_IN_FRAMES = 30;
/** A new part is fed in every this many frames. */
export const SYNTHETIC_SPAWN_PERIOD_FRAMES = 48;
/** Belt speed at the 1280×720 reference size; scaled with the frame. */
export const SYNTHETIC_REFERENCE_SPEED_PX_PER_FRAME = 8;
/**
 * Largest distance from a part's centre to its outline at the reference size. Spacing is
 * 48 × 8 = 384 px against at most 2 × 72 px of parts, so neighbours never touch.
 */
const MAX_PART_RADIUS_REF_PX = 72;

/** Fraction of the frame height above and below the belt that shows the fixed side rails. */
const RAIL_FRACTION = 0.12;
const LANES_FRACTION_Y = [0.32, 0.5, 0.68] as const;

/**
 * Palette chosen so that every part differs from the belt by at least ~150 in the summed RGB
 * difference, while grey-level alone would miss the navy part (luma close to the belt's): a
 * detector must use colour. Channels stay within [20, 240] so noise never wraps a byte.
 */
const PALETTE_RGB: readonly (readonly [number, number, number])[] = [
  [235, 140, 35], // orange plastic
  [186, 189, 196], // machined steel
  [35, 60, 165], // navy anodised
  [55, 165, 75], // green plastic
  [28, 28, 32], // black rubber
  [230, 205, 50], // yellow
];
const BELT_RGB = [88, 90, 94] as const;
const RAIL_RGB = [150, 152, 158] as const;
/** Peak amplitude of the belt weave texture and of the per-frame sensor noise, per channel. */
const BELT_TEXTURE_AMPLITUDE = 5;
const NOISE_AMPLITUDE = 3;
/** Noise is read from a fixed table at a frame-dependent offset (in 32-bit words), so a frame costs one pass. */
const NOISE_SHIFT_WORDS = 4093;

const SHAPES: readonly SyntheticShape[] = ['rect', 'disc', 'ellipse', 'hexagon'];
/** Polygon resolution for round shapes: fine enough that the outline is smooth at 4K. */
const ROUND_VERTEX_COUNT = 64;

/** 32-bit integer hash (lowbias32); deterministic on every JS engine. */
function hash32(value: number): number {
  let x = value | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in [0, 1) from a part id and a salt naming which property is drawn. */
function unitRandom(id: number, salt: number): number {
  return hash32(Math.imul(id, 0x9e3779b1) ^ hash32(salt)) / 4294967296;
}

interface PartRecipe {
  id: number;
  shape: SyntheticShape;
  colourRgb: [number, number, number];
  laneFractionY: number;
  rotationDeg: number;
  /** Outline relative to the centre at the reference size, [x0, y0, x1, y1, ...]. */
  outlineRefPx: Float64Array;
  angleDeg: number;
}

function normaliseAngleDeg(angleDeg: number, periodDeg: number): number {
  // Map into (-period/2, period/2].
  const half = periodDeg / 2;
  let a = angleDeg % periodDeg;
  if (a > half) a -= periodDeg;
  if (a <= -half) a += periodDeg;
  return a;
}

function partRecipe(id: number): PartRecipe {
  // Shapes cycle so that every window of four consecutive parts shows all of them.
  const shape = SHAPES[id % SHAPES.length];
  const colourRgb = [...PALETTE_RGB[hash32(id * 7 + 3) % PALETTE_RGB.length]] as [number, number, number];
  const laneFractionY = LANES_FRACTION_Y[hash32(id * 13 + 5) % LANES_FRACTION_Y.length];
  // Half the parts lie square to the belt, half are rotated: both cases matter for angle output.
  const rotated = unitRandom(id, 1) < 0.5;
  const rotationDeg = rotated ? Math.round(-60 + 120 * unitRandom(id, 2)) : 0;
  const theta = (rotationDeg * Math.PI) / 180;
  const cosT = Math.cos(theta);
  const sinT = Math.sin(theta);
  const local: number[] = [];
  let angleDeg = 0;
  switch (shape) {
    case 'rect': {
      const halfWidthPx = 60;
      const halfHeightPx = 30;
      local.push(
        -halfWidthPx,
        -halfHeightPx,
        halfWidthPx,
        -halfHeightPx,
        halfWidthPx,
        halfHeightPx,
        -halfWidthPx,
        halfHeightPx,
      );
      angleDeg = normaliseAngleDeg(rotationDeg, 180);
      break;
    }
    case 'disc':
    case 'ellipse': {
      const radiusXPx = shape === 'disc' ? 42 : 64;
      const radiusYPx = shape === 'disc' ? 42 : 36;
      for (let k = 0; k < ROUND_VERTEX_COUNT; k++) {
        const phi = (2 * Math.PI * k) / ROUND_VERTEX_COUNT;
        local.push(radiusXPx * Math.cos(phi), radiusYPx * Math.sin(phi));
      }
      angleDeg = shape === 'disc' ? 0 : normaliseAngleDeg(rotationDeg, 180);
      break;
    }
    case 'hexagon': {
      const circumradiusPx = 48;
      for (let k = 0; k < 6; k++) {
        const phi = (Math.PI / 3) * k;
        local.push(circumradiusPx * Math.cos(phi), circumradiusPx * Math.sin(phi));
      }
      angleDeg = normaliseAngleDeg(rotationDeg, 60);
      break;
    }
  }
  const outlineRefPx = new Float64Array(local.length);
  for (let k = 0; k < local.length; k += 2) {
    outlineRefPx[k] = local[k] * cosT - local[k + 1] * sinT;
    outlineRefPx[k + 1] = local[k] * sinT + local[k + 1] * cosT;
  }
  return {
    id,
    shape,
    colourRgb,
    laneFractionY,
    rotationDeg,
    outlineRefPx,
    angleDeg: angleDeg === 0 ? 0 : angleDeg,
  };
}

/** Everything that depends only on the frame size; built once per size and reused. */
interface SizeCache {
  widthPx: number;
  heightPx: number;
  /**
   * Background and colour rows are stored NOISE_AMPLITUDE below their true values and the noise
   * table holds 0..2·NOISE_AMPLITUDE: adding never borrows, so the noise pass can add four bytes
   * at a time as one 32-bit word (no byte ever exceeds 255, so no carry crosses into the next).
   */
  background: Uint8Array;
  noise: Uint8Array;
  /** One full row of each palette colour, so filling a span is a single `set`. */
  colourRows: Uint8Array[];
}

/** A handful of sizes at most (preview + full); bounded so a sweep of sizes cannot grow memory. */
const SIZE_CACHE_LIMIT = 4;
const sizeCache = new Map<string, SizeCache>();

function buildSizeCache(widthPx: number, heightPx: number): SizeCache {
  const background = new Uint8Array(widthPx * heightPx * 3);
  const railTopPx = Math.round(heightPx * RAIL_FRACTION);
  const railBottomPx = heightPx - railTopPx;
  const scale = Math.min(widthPx / REFERENCE_WIDTH_PX, heightPx / REFERENCE_HEIGHT_PX);
  // Weave period scales with the frame so the texture looks the same at every size.
  const weavePeriodPx = Math.max(2, Math.round(6 * scale));
  const row = new Uint8Array(widthPx * 3);
  for (let y = 0; y < heightPx; y++) {
    const onRail = y < railTopPx || y >= railBottomPx;
    if (onRail) {
      // A darker groove along each rail gives the rails a visible edge.
      const groove = y === railTopPx - 2 || y === railBottomPx + 1 ? -40 : 0;
      for (let x = 0; x < widthPx; x++) {
        const i = x * 3;
        row[i] = RAIL_RGB[0] + groove - NOISE_AMPLITUDE;
        row[i + 1] = RAIL_RGB[1] + groove - NOISE_AMPLITUDE;
        row[i + 2] = RAIL_RGB[2] + groove - NOISE_AMPLITUDE;
      }
    } else {
      // Diagonal weave plus a gentle brightness fall-off towards the rails (fixed top lighting).
      const fromCentre = Math.abs((y - heightPx / 2) / (heightPx / 2));
      const light = Math.round(-6 * fromCentre * fromCentre);
      for (let x = 0; x < widthPx; x++) {
        const weave =
          (x + 2 * y) % (2 * weavePeriodPx) < weavePeriodPx
            ? BELT_TEXTURE_AMPLITUDE
            : -BELT_TEXTURE_AMPLITUDE;
        const i = x * 3;
        row[i] = BELT_RGB[0] + weave + light - NOISE_AMPLITUDE;
        row[i + 1] = BELT_RGB[1] + weave + light - NOISE_AMPLITUDE;
        row[i + 2] = BELT_RGB[2] + weave + light - NOISE_AMPLITUDE;
      }
    }
    background.set(row, y * widthPx * 3);
  }
  // xorshift32 with a fixed seed: the same noise on every run and platform.
  const noise = new Uint8Array(Math.ceil((widthPx * heightPx * 3) / 4) * 4 + 4 * NOISE_SHIFT_WORDS);
  let state = 0x2545f491;
  const span = 2 * NOISE_AMPLITUDE + 1;
  for (let i = 0; i < noise.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    noise[i] = (state >>> 0) % span;
  }
  const colourRows = PALETTE_RGB.map((rgb) => {
    const r = new Uint8Array(widthPx * 3);
    for (let x = 0; x < widthPx; x++) {
      r[x * 3] = rgb[0] - NOISE_AMPLITUDE;
      r[x * 3 + 1] = rgb[1] - NOISE_AMPLITUDE;
      r[x * 3 + 2] = rgb[2] - NOISE_AMPLITUDE;
    }
    return r;
  });
  return { widthPx, heightPx, background, noise, colourRows };
}

function getSizeCache(widthPx: number, heightPx: number): SizeCache {
  const key = `${widthPx}x${heightPx}`;
  let entry = sizeCache.get(key);
  if (entry) return entry;
  entry = buildSizeCache(widthPx, heightPx);
  if (sizeCache.size >= SIZE_CACHE_LIMIT) {
    const oldest = sizeCache.keys().next().value;
    if (oldest !== undefined) sizeCache.delete(oldest);
  }
  sizeCache.set(key, entry);
  return entry;
}

export interface SyntheticSceneGeometry {
  /** Uniform scale from the 1280×720 reference. */
  scale: number;
  speedPxPerFrame: number;
  maxPartRadiusPx: number;
  /** Vertical extent of the belt (between the rails), [top, bottom) in pixels. */
  beltTopPx: number;
  beltBottomPx: number;
}

export function syntheticSceneGeometry(widthPx: number, heightPx: number): SyntheticSceneGeometry {
  const scale = Math.min(widthPx / REFERENCE_WIDTH_PX, heightPx / REFERENCE_HEIGHT_PX);
  const railPx = Math.round(heightPx * RAIL_FRACTION);
  return {
    scale,
    speedPxPerFrame: SYNTHETIC_REFERENCE_SPEED_PX_PER_FRAME * scale,
    maxPartRadiusPx: MAX_PART_RADIUS_REF_PX * scale,
    beltTopPx: railPx,
    beltBottomPx: heightPx - railPx,
  };
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < SYNTHETIC_MIN_SIDE_PX || value > SYNTHETIC_MAX_SIDE_PX) {
    throw new RangeError(
      `synthetic scene ${name} must be an integer in [${SYNTHETIC_MIN_SIDE_PX}, ${SYNTHETIC_MAX_SIDE_PX}], got ${value}`,
    );
  }
}

/** Centre x of part `id` at `frameIndex`: it enters with its leftmost possible extent at x = 0 on its spawn frame. */
function partCentreX(id: number, frameIndex: number, geometry: SyntheticSceneGeometry): number {
  const spawnFrame = SYNTHETIC_LEAD_IN_FRAMES + id * SYNTHETIC_SPAWN_PERIOD_FRAMES;
  return -geometry.maxPartRadiusPx + (frameIndex - spawnFrame) * geometry.speedPxPerFrame;
}

/**
 * Renders frame `frameIndex` of the scene into `out` (allocated when absent or of the wrong size)
 * and returns the ground truth of every part with at least one pixel in the frame, ordered by id.
 */
export function renderSyntheticFrame(
  frameIndex: number,
  widthPx: number,
  heightPx: number,
  out?: Uint8Array,
): SyntheticFrame {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex > Number.MAX_SAFE_INTEGER / 2) {
    throw new RangeError(`synthetic frame index must be a non-negative integer, got ${frameIndex}`);
  }
  checkSize('width', widthPx);
  checkSize('height', heightPx);
  const cache = getSizeCache(widthPx, heightPx);
  const byteLength = widthPx * heightPx * 3;
  const rgb = out && out.length === byteLength ? out : new Uint8Array(byteLength);
  rgb.set(cache.background);

  const geometry = syntheticSceneGeometry(widthPx, heightPx);
  const { scale, speedPxPerFrame, maxPartRadiusPx } = geometry;
  // Only ids whose extent can overlap [0, width) are considered: no loop over the whole history.
  const travelFrames = (widthPx + 2 * maxPartRadiusPx) / speedPxPerFrame;
  const sinceFirst = frameIndex - SYNTHETIC_LEAD_IN_FRAMES;
  const firstId = Math.max(0, Math.floor((sinceFirst - travelFrames) / SYNTHETIC_SPAWN_PERIOD_FRAMES));
  const lastId = Math.floor(sinceFirst / SYNTHETIC_SPAWN_PERIOD_FRAMES);

  const parts: SyntheticPart[] = [];
  for (let id = firstId; id <= lastId; id++) {
    const recipe = partRecipe(id);
    const centreX = partCentreX(id, frameIndex, geometry);
    const centreY = recipe.laneFractionY * heightPx;
    const part = fillConvexPolygon(rgb, cache, recipe, centreX, centreY, scale);
    if (part) parts.push(part);
  }

  // One pass adds sensor noise everywhere (parts included), which also lifts every byte back to its true value.
  addNoise(rgb, cache.noise, 4 * (hash32(frameIndex) % NOISE_SHIFT_WORDS));
  return { rgb, parts };
}

/**
 * Adds `noise[i + shiftBytes]` to every byte. Kept apart from the caller so V8 optimises the hot
 * loop on its own; word-wise when the buffer is 4-byte aligned (the usual case), else byte-wise
 * with the same result.
 */
function addNoise(rgb: Uint8Array, noise: Uint8Array, shiftBytes: number): void {
  const n = rgb.length;
  let done = 0;
  if (rgb.byteOffset % 4 === 0) {
    const words = n >> 2;
    const rgbWords = new Uint32Array(rgb.buffer, rgb.byteOffset, words);
    const noiseWords = new Uint32Array(noise.buffer, noise.byteOffset + shiftBytes, words);
    for (let i = 0; i < words; i++) rgbWords[i] += noiseWords[i];
    done = words * 4;
  }
  for (let i = done; i < n; i++) rgb[i] += noise[i + shiftBytes];
}

/**
 * Scan-converts a convex polygon: a pixel belongs to the part when its centre lies inside.
 * Each row's span is found from the edges, then filled with one typed-array copy.
 */
function fillConvexPolygon(
  rgb: Uint8Array,
  cache: SizeCache,
  recipe: PartRecipe,
  centreX: number,
  centreY: number,
  scale: number,
): SyntheticPart | null {
  const { widthPx, heightPx } = cache;
  const outline = recipe.outlineRefPx;
  const n = outline.length / 2;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    xs[k] = centreX + outline[2 * k] * scale;
    ys[k] = centreY + outline[2 * k + 1] * scale;
    if (ys[k] < minY) minY = ys[k];
    if (ys[k] > maxY) maxY = ys[k];
  }
  const rowStart = Math.max(0, Math.ceil(minY - 0.5));
  const rowEnd = Math.min(heightPx - 1, Math.floor(maxY - 0.5));
  const colourIndex = PALETTE_RGB.findIndex(
    (c) => c[0] === recipe.colourRgb[0] && c[1] === recipe.colourRgb[1] && c[2] === recipe.colourRgb[2],
  );
  const colourRow = cache.colourRows[colourIndex];
  let areaPx = 0;
  let boxX1 = Infinity;
  let boxY1 = Infinity;
  let boxX2 = -Infinity;
  let boxY2 = -Infinity;
  let clipped = false;
  for (let y = rowStart; y <= rowEnd; y++) {
    const yc = y + 0.5;
    let spanLeft = Infinity;
    let spanRight = -Infinity;
    for (let k = 0; k < n; k++) {
      const k2 = k + 1 === n ? 0 : k + 1;
      const y0 = ys[k];
      const y1 = ys[k2];
      // Half-open in y so a vertex shared by two edges is counted once.
      if ((y0 <= yc && yc < y1) || (y1 <= yc && yc < y0)) {
        const x = xs[k] + ((yc - y0) * (xs[k2] - xs[k])) / (y1 - y0);
        if (x < spanLeft) spanLeft = x;
        if (x > spanRight) spanRight = x;
      }
    }
    if (spanLeft > spanRight) continue;
    // `| 0` also turns Math.ceil's -0 into 0, which would otherwise leak into the ground truth.
    let xStart = Math.ceil(spanLeft - 0.5) | 0;
    let xEnd = Math.floor(spanRight - 0.5) | 0;
    if (xStart < 0) {
      xStart = 0;
      clipped = true;
    }
    if (xEnd > widthPx - 1) {
      xEnd = widthPx - 1;
      clipped = true;
    }
    if (xEnd < xStart) continue;
    const count = xEnd - xStart + 1;
    rgb.set(colourRow.subarray(0, count * 3), (y * widthPx + xStart) * 3);
    areaPx += count;
    if (xStart < boxX1) boxX1 = xStart;
    if (xEnd + 1 > boxX2) boxX2 = xEnd + 1;
    if (y < boxY1) boxY1 = y;
    if (y + 1 > boxY2) boxY2 = y + 1;
  }
  if (areaPx === 0) return null;
  if (Math.ceil(minY - 0.5) < 0 || Math.floor(maxY - 0.5) > heightPx - 1) clipped = true;
  return {
    id: recipe.id,
    shape: recipe.shape,
    centreXy: [centreX, centreY],
    boxXyxy: [boxX1, boxY1, boxX2, boxY2],
    angleDeg: recipe.angleDeg,
    areaPx,
    fullyInFrame: !clipped,
    colourRgb: recipe.colourRgb,
  };
}

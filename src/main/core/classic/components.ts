/**
 * 8-connected component labelling of a binary mask: classic two-pass algorithm with union-find
 * over provisional labels, then per-component statistics in the same second pass.
 */

export interface ComponentStats {
  /** Final label in `labels` (1-based). */
  label: number;
  /** Pixels of the processing grid in the component. */
  pixelCount: number;
  /** Inclusive bounds on the processing grid. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Pixels whose raw difference passed the threshold (before morphology filled gaps). */
  rawForegroundCount: number;
}

/** Reusable buffers, sized to the largest mask seen. */
export class ComponentLabeller {
  private labels = new Int32Array(0);
  private parent = new Int32Array(0);

  /** Label image of the last call (valid for `widthPx * heightPx` entries). */
  get labelImage(): Int32Array {
    return this.labels;
  }

  private find(x: number): number {
    const parent = this.parent;
    let root = x;
    while (parent[root] !== root) root = parent[root];
    // Path compression keeps later finds O(1) in practice.
    while (parent[x] !== root) {
      const next = parent[x];
      parent[x] = root;
      x = next;
    }
    return root;
  }

  private union(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return ra;
    // The smaller label becomes the root so labels stay in raster order of first appearance.
    if (ra < rb) {
      this.parent[rb] = ra;
      return ra;
    }
    this.parent[ra] = rb;
    return rb;
  }

  /**
   * Labels `mask` (non-zero = set). `raw` marks which set pixels passed the raw threshold.
   * Returns one entry per component, in raster order of their first pixel.
   */
  label(mask: Uint8Array, raw: Uint8Array, widthPx: number, heightPx: number): ComponentStats[] {
    const n = widthPx * heightPx;
    if (this.labels.length < n) this.labels = new Int32Array(n);
    // A new label needs an unset west neighbour, so at most ceil(w / 2) per row; plus label 0.
    const maxLabels = ((widthPx + 1) >> 1) * heightPx + 2;
    if (this.parent.length < maxLabels) this.parent = new Int32Array(maxLabels);
    const labels = this.labels;
    const parent = this.parent;
    let next = 1;

    for (let y = 0; y < heightPx; y++) {
      const row = y * widthPx;
      const up = row - widthPx;
      for (let x = 0; x < widthPx; x++) {
        const p = row + x;
        if (mask[p] === 0) {
          labels[p] = 0;
          continue;
        }
        // Already-visited neighbours in 8-connectivity: W, NW, N, NE.
        let l = 0;
        if (x > 0 && labels[p - 1] !== 0) l = labels[p - 1];
        if (y > 0) {
          if (x > 0 && labels[up + x - 1] !== 0)
            l = l === 0 ? labels[up + x - 1] : this.union(l, labels[up + x - 1]);
          if (labels[up + x] !== 0) l = l === 0 ? labels[up + x] : this.union(l, labels[up + x]);
          if (x + 1 < widthPx && labels[up + x + 1] !== 0)
            l = l === 0 ? labels[up + x + 1] : this.union(l, labels[up + x + 1]);
        }
        if (l === 0) {
          l = next++;
          parent[l] = l;
        }
        labels[p] = l;
      }
    }

    // Resolve provisional labels to dense final ones and gather statistics.
    const finalOf = new Int32Array(next);
    const stats: ComponentStats[] = [];
    for (let l = 1; l < next; l++) {
      const root = this.find(l);
      if (root === l) {
        stats.push({
          label: stats.length + 1,
          pixelCount: 0,
          minX: widthPx,
          minY: heightPx,
          maxX: -1,
          maxY: -1,
          rawForegroundCount: 0,
        });
        finalOf[l] = stats.length;
      } else {
        finalOf[l] = finalOf[root];
      }
    }
    for (let y = 0; y < heightPx; y++) {
      const row = y * widthPx;
      for (let x = 0; x < widthPx; x++) {
        const p = row + x;
        const l = labels[p];
        if (l === 0) continue;
        const f = finalOf[l];
        labels[p] = f;
        const s = stats[f - 1];
        s.pixelCount++;
        if (raw[p] !== 0) s.rawForegroundCount++;
        if (x < s.minX) s.minX = x;
        if (x > s.maxX) s.maxX = x;
        if (y < s.minY) s.minY = y;
        if (y > s.maxY) s.maxY = y;
      }
    }
    return stats;
  }
}

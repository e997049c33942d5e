/**
 * Model choice: the most accurate model (mAP50-95, then mAP50) whose measured fps holds the target
 * with headroom, i.e. fps >= headroom x target, so that a busier moment on the PC still keeps the
 * line at the target rate.
 */
export interface ModelScore {
  name: string;
  mAP50: number;
  mAP5095: number;
  fps: number;
  p99LatencyMs: number;
}

export interface Recommendation {
  /** null when no model holds the target with headroom. */
  name: string | null;
  requiredFps: number;
  text: string;
}

export function recommendModel(
  rows: readonly ModelScore[],
  targetFps: number,
  headroom: number,
): Recommendation {
  const requiredFps = targetFps * headroom;
  const rule = `fps >= ${headroom} x ${targetFps} = ${Number(requiredFps.toFixed(2))}`;
  const holding = rows
    .filter((r) => r.fps >= requiredFps)
    .sort((a, b) => b.mAP5095 - a.mAP5095 || b.mAP50 - a.mAP50 || b.fps - a.fps);
  const best = holding[0];
  if (best)
    return {
      name: best.name,
      requiredFps,
      text: `recommended: ${best.name} (mAP50-95 ${best.mAP5095.toFixed(3)} at ${best.fps.toFixed(1)} fps; the most accurate model with ${rule})`,
    };
  const fastest = [...rows].sort((a, b) => b.fps - a.fps)[0];
  return {
    name: null,
    requiredFps,
    text: `no model holds ${targetFps} fps with headroom (${rule})${
      fastest ? `; the fastest is ${fastest.name} at ${fastest.fps.toFixed(1)} fps` : ''
    }`,
  };
}

/** A fixed-width text table of the scores, one model per row. */
export function formatScoreTable(rows: readonly ModelScore[]): string {
  const header = ['model', 'mAP50', 'mAP50-95', 'fps', 'p99 ms'];
  const body = rows.map((r) => [
    r.name,
    r.mAP50.toFixed(3),
    r.mAP5095.toFixed(3),
    r.fps.toFixed(1),
    r.p99LatencyMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

/** Which recorded segments to delete so a recording stays within its size and age limits. Pure. */

export interface RetentionPolicy {
  /** Total bytes of segment files kept; null = no limit. */
  maxBytes: number | null;
  /** Segments that started longer ago than this are deleted; null = no limit. */
  maxAgeMs: number | null;
}

export interface SegmentUsage {
  seq: number;
  startMs: number;
  bytes: number;
}

/**
 * Oldest first: every segment older than the age limit, then more of the oldest until the total
 * fits the size limit. Segments still being written (`keep`) are never chosen.
 */
export function planRetention(
  segments: readonly SegmentUsage[],
  keep: readonly number[],
  nowMs: number,
  policy: RetentionPolicy,
): number[] {
  const candidates = [...segments].sort((a, b) => a.seq - b.seq);
  let total = candidates.reduce((s, x) => s + x.bytes, 0);
  const out: number[] = [];
  for (const s of candidates) {
    if (keep.includes(s.seq)) continue;
    const tooOld = policy.maxAgeMs !== null && nowMs - s.startMs > policy.maxAgeMs;
    const tooBig = policy.maxBytes !== null && total > policy.maxBytes;
    if (!tooOld && !tooBig) continue;
    out.push(s.seq);
    total -= s.bytes;
  }
  return out;
}

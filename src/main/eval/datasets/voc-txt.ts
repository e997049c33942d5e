/**
 * VOC-style text files, one per image (the file stem is the image): ground truth lines
 * `<class> <x> <y> <w> <h>` and detection lines `<class> <confidence> <x> <y> <w> <h>`, absolute
 * pixels, top-left origin. A class name may not contain spaces.
 */
import type { BoxXyxy } from '../../core/metrics/boxes';

export interface ParsedLine {
  className: string;
  score: number | null;
  xyxy: BoxXyxy;
}

export function parseVocTxt(text: string, kind: 'gt' | 'dets', source: string): ParsedLine[] {
  const fields = kind === 'gt' ? 5 : 6;
  const out: ParsedLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const nums = parts.slice(1).map(Number);
    if (parts.length !== fields || nums.some((n) => !Number.isFinite(n)))
      throw new Error(
        `${source}:${i + 1}: expected ${kind === 'gt' ? '<class> <x> <y> <w> <h>' : '<class> <confidence> <x> <y> <w> <h>'}, got '${line}'`,
      );
    const [x, y, w, h] = kind === 'gt' ? nums : nums.slice(1);
    if (w! < 0 || h! < 0) throw new Error(`${source}:${i + 1}: negative width or height in '${line}'`);
    out.push({
      className: parts[0]!,
      score: kind === 'gt' ? null : nums[0]!,
      xyxy: [x!, y!, x! + w!, y! + h!],
    });
  });
  return out;
}

/**
 * Reference detections from ../shared/models/MANIFEST.md, read at test time (never copied):
 * each model section has a table `| image | class score [x1,y1,x2,y2]; ... |`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MODELS_DIR } from './paths';

export interface RefDetection {
  className: string;
  score: number;
  box: [number, number, number, number];
}

export function manifestDetections(modelFile: string): Record<string, RefDetection[]> {
  const text = readFileSync(resolve(MODELS_DIR, 'MANIFEST.md'), 'utf8');
  const start = text.indexOf(`## ${modelFile}`);
  if (start < 0) throw new Error(`MANIFEST.md has no section for ${modelFile}`);
  const next = text.indexOf('\n## ', start + 3);
  const section = text.slice(start, next < 0 ? undefined : next);
  const out: Record<string, RefDetection[]> = {};
  for (const line of section.split('\n')) {
    const m = /^\|\s*(\w+\.jpg)\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    out[m[1]!] = m[2]!
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const d = /^(.+?)\s+([\d.]+)\s+\[(-?[\d.]+),(-?[\d.]+),(-?[\d.]+),(-?[\d.]+)\]/.exec(s);
        if (!d) throw new Error(`cannot read reference detection '${s}'`);
        return {
          className: d[1]!,
          score: Number(d[2]),
          box: [Number(d[3]), Number(d[4]), Number(d[5]), Number(d[6])],
        };
      });
  }
  return out;
}

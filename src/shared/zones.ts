/**
 * Zones and counting lines as every process sees them (settings, UI editor, pipeline). Camera
 * pixels. The main process validates them with the zod schemas in src/main/core/counting/specs.ts.
 */
import type { PointXy } from './detection';

export interface ZoneShape {
  kind: 'include' | 'exclude';
  name?: string;
  /** Corners in order, at least 3. */
  polygon: PointXy[];
}

/** Directed: `in` = from the side where cross((x2−x1, y2−y1), (px−x1, py−y1)) > 0 to < 0. */
export interface CountingLine {
  name: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Label Studio tasks with predictions (the import format of
 * https://labelstud.io/guide/predictions): one task per frame, `data.image` pointing at the picture,
 * one prediction per task with `model_version`, rectangles in percent of the image and polygons
 * (masks) in percent too. The reader takes a Label Studio export back as a labelled set. Pure.
 */
import type { PointXy } from '../../../shared/detection';
import type { ExportFrame } from './types';

export interface LabelStudioOptions {
  modelVersion: string;
  /** URL or path prefix put before each image name in `data.image`. */
  imageUrlPrefix: string;
  /** Control tag names of the labelling config (`<RectangleLabels name=... toName=...>`). */
  fromName?: string;
  polygonFromName?: string;
  toName?: string;
}

interface LsResultBase {
  id: string;
  from_name: string;
  to_name: string;
  original_width: number;
  original_height: number;
  image_rotation: 0;
  score: number;
}
export interface LsRectangle extends LsResultBase {
  type: 'rectanglelabels';
  value: { x: number; y: number; width: number; height: number; rotation: 0; rectanglelabels: [string] };
}
export interface LsPolygon extends LsResultBase {
  type: 'polygonlabels';
  value: { points: [number, number][]; closed: true; polygonlabels: [string] };
}
export type LsResult = LsRectangle | LsPolygon;

export interface LsTask {
  data: { image: string; capture_time_ms: number; frame_no: number };
  predictions: [{ model_version: string; score: number; result: LsResult[] }];
}

const pct = (v: number, of: number): number => Math.min(100, Math.max(0, (v / of) * 100));

export function toLabelStudioTasks(frames: readonly ExportFrame[], opts: LabelStudioOptions): LsTask[] {
  const fromName = opts.fromName ?? 'label';
  const polygonFromName = opts.polygonFromName ?? 'polygon';
  const toName = opts.toName ?? 'image';
  return frames.map((f) => {
    const result: LsResult[] = [];
    f.detections.forEach((d, i) => {
      const base = {
        from_name: fromName,
        to_name: toName,
        original_width: f.widthPx,
        original_height: f.heightPx,
        image_rotation: 0 as const,
        score: d.score,
      };
      const [x1, y1, x2, y2] = d.box;
      const x = pct(x1, f.widthPx);
      const y = pct(y1, f.heightPx);
      result.push({
        ...base,
        id: `f${f.frameNo}-r${i}`,
        type: 'rectanglelabels',
        value: {
          x,
          y,
          width: pct(x2, f.widthPx) - x,
          height: pct(y2, f.heightPx) - y,
          rotation: 0,
          rectanglelabels: [d.className],
        },
      });
      if (d.polygon && d.polygon.length >= 3) {
        result.push({
          ...base,
          from_name: polygonFromName,
          id: `f${f.frameNo}-p${i}`,
          type: 'polygonlabels',
          value: {
            points: d.polygon.map(([px, py]) => [pct(px, f.widthPx), pct(py, f.heightPx)]),
            closed: true,
            polygonlabels: [d.className],
          },
        });
      }
    });
    const mean = f.detections.length
      ? f.detections.reduce((s, d) => s + d.score, 0) / f.detections.length
      : 0;
    return {
      data: {
        image: opts.imageUrlPrefix + f.imageName,
        capture_time_ms: f.captureTimeMs,
        frame_no: f.frameNo,
      },
      predictions: [{ model_version: opts.modelVersion, score: mean, result }],
    };
  });
}

/** What a labelling config for these tasks looks like (for the user to paste into the project). */
export function labelStudioConfig(classNames: readonly string[], withPolygons: boolean): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const labels = classNames.map((n) => `    <Label value="${esc(n)}"/>`).join('\n');
  return [
    '<View>',
    '  <Image name="image" value="$image"/>',
    '  <RectangleLabels name="label" toName="image">',
    labels,
    '  </RectangleLabels>',
    ...(withPolygons
      ? ['  <PolygonLabels name="polygon" toName="image">', labels, '  </PolygonLabels>']
      : []),
    '</View>',
    '',
  ].join('\n');
}

/** One labelled image read back from a Label Studio export. */
export interface LabelledImage {
  image: string;
  widthPx: number;
  heightPx: number;
  objects: {
    className: string;
    box: [number, number, number, number];
    score: number | null;
    polygon?: PointXy[];
  }[];
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: Json, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} is not a number`);
  return v;
};

/**
 * A Label Studio JSON export (or our own task file) → labelled images in pixels. Annotations win
 * over predictions: a task a person labelled is read from its last annotation, otherwise from its
 * first prediction. Results other than rectangles and polygons are skipped.
 */
export function readLabelStudio(json: Json): LabelledImage[] {
  if (!Array.isArray(json)) throw new Error('a Label Studio export is a JSON array of tasks');
  return json.map((task: Json, ti) => {
    if (!isObj(task) || !isObj(task['data'])) throw new Error(`task ${ti}: no "data" object`);
    const image = String(task['data']['image'] ?? '');
    const annotations = Array.isArray(task['annotations']) ? task['annotations'] : [];
    const predictions = Array.isArray(task['predictions']) ? task['predictions'] : [];
    const source: Json = annotations.length > 0 ? annotations[annotations.length - 1] : predictions[0];
    const results: Json[] = isObj(source) && Array.isArray(source['result']) ? source['result'] : [];
    let widthPx = 0;
    let heightPx = 0;
    const objects: LabelledImage['objects'] = [];
    results.forEach((r, ri) => {
      if (!isObj(r) || !isObj(r['value'])) return;
      const where = `task ${ti} result ${ri}`;
      widthPx = num(r['original_width'], `${where}: original_width`);
      heightPx = num(r['original_height'], `${where}: original_height`);
      const v = r['value'];
      const score = typeof r['score'] === 'number' ? r['score'] : null;
      if (r['type'] === 'rectanglelabels') {
        const x = (num(v['x'], `${where}: x`) / 100) * widthPx;
        const y = (num(v['y'], `${where}: y`) / 100) * heightPx;
        const w = (num(v['width'], `${where}: width`) / 100) * widthPx;
        const h = (num(v['height'], `${where}: height`) / 100) * heightPx;
        const labels = v['rectanglelabels'];
        objects.push({
          className: Array.isArray(labels) ? String(labels[0]) : '',
          box: [x, y, x + w, y + h],
          score,
        });
      } else if (r['type'] === 'polygonlabels' && Array.isArray(v['points'])) {
        const polygon = v['points'].map((p: Json): PointXy => {
          if (!Array.isArray(p)) throw new Error(`${where}: a polygon point is not [x, y]`);
          return [
            (num(p[0], `${where}: point x`) / 100) * widthPx,
            (num(p[1], `${where}: point y`) / 100) * heightPx,
          ];
        });
        const xs = polygon.map((p) => p[0]);
        const ys = polygon.map((p) => p[1]);
        const labels = v['polygonlabels'];
        objects.push({
          className: Array.isArray(labels) ? String(labels[0]) : '',
          box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
          score,
          polygon,
        });
      }
    });
    return { image, widthPx, heightPx, objects };
  });
}

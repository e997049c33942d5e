import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendModel } from '../../src/main/core/metrics/recommend';
import { jsonLines, runCli } from '../helpers/cli';
import {
  CLASS_NAMES,
  writeCocoSet,
  writeLabelStudioSet,
  writeVocTxtSet,
  writeYoloSet,
} from '../helpers/eval-set';
import { manifestDetections } from '../helpers/manifest';
import { SHARED_DIR, sharedModel } from '../helpers/paths';

const COCO_CASE = join(SHARED_DIR, 'eval', 'coco-torchmetrics-4img');
const VOC_CASE = join(SHARED_DIR, 'eval', 'voc-padilla-toy-cats');
const tmp = mkdtempSync(join(tmpdir(), 'vs-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface CocoLine {
  format: 'coco';
  stats: Record<string, number>;
  perClass: { classId: number; className: string; AP: number; AP50: number; AP75: number; AR100: number }[];
}
interface VocLine {
  format: 'voc';
  iou: number;
  perClass: { className: string; ap11: number; apAll: number; tp: number; fp: number; positives: number }[];
  mAP11: number;
  mAPAll: number;
}

async function evalJson(args: string[]): Promise<{ line: unknown; stderr: string }> {
  const r = await runCli(['eval', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const lines = jsonLines(r.stdout);
  expect(lines).toHaveLength(1);
  return { line: lines[0], stderr: r.stderr };
}

describe('eval --gt --dets: published reference values', () => {
  it('coco-torchmetrics-4img: the 12 pycocotools stats and per-class AP / AR100 to 3 decimals', async () => {
    const { line, stderr } = await evalJson([
      '--gt',
      join(COCO_CASE, 'coco_gt_converted.json'),
      '--dets',
      join(COCO_CASE, 'coco_dets_converted.json'),
    ]);
    expect(stderr).toBe('');
    const r = line as CocoLine;
    expect(r.format).toBe('coco');
    expect(Object.keys(r.stats)).toEqual([
      'AP',
      'AP50',
      'AP75',
      'APsmall',
      'APmedium',
      'APlarge',
      'AR1',
      'AR10',
      'AR100',
      'ARsmall',
      'ARmedium',
      'ARlarge',
    ]);
    expect(Object.values(r.stats).map((v) => v.toFixed(3))).toEqual([
      '0.706',
      '0.901',
      '0.846',
      '0.689',
      '0.800',
      '0.701',
      '0.592',
      '0.716',
      '0.716',
      '0.767',
      '0.800',
      '0.700',
    ]);
    expect(r.perClass.map((c) => [c.classId, c.className, c.AP.toFixed(3), c.AR100.toFixed(3)])).toEqual([
      [0, '0', '0.725', '0.780'],
      [1, '1', '0.800', '0.800'],
      [2, '2', '0.454', '0.450'],
      [3, '3', '-1.000', '-1.000'],
      [4, '4', '0.650', '0.650'],
      [5, '5', '0.900', '0.900'],
    ]);
    expect(Object.keys(r.perClass[0]!)).toEqual(['classId', 'className', 'AP', 'AP50', 'AP75', 'AR100']);
  });

  it.each([
    ['0.5', '88.64', '89.58', 11, 1],
    ['0.75', '49.24', '50.97', 8, 4],
  ])(
    'voc-padilla-toy-cats at IoU %s: 11-point %s, all-point %s, from text files and from COCO JSON',
    async (iou, ap11, apAll, tp, fp) => {
      for (const dets of [join(VOC_CASE, 'dets_classname_abs_xywh'), join(VOC_CASE, 'coco_dets.json')]) {
        const { line, stderr } = await evalJson([
          '--format',
          'voc',
          '--iou',
          iou,
          '--gt',
          join(VOC_CASE, 'toy_example_coco.json'),
          '--dets',
          dets,
        ]);
        expect(stderr).toBe('');
        const r = line as VocLine;
        expect(Object.keys(r)).toEqual(['format', 'iou', 'perClass', 'mAP11', 'mAPAll']);
        expect(r.iou).toBe(Number(iou));
        expect(r.perClass).toHaveLength(1);
        const cat = r.perClass[0]!;
        expect([cat.className, (cat.ap11 * 100).toFixed(2), (cat.apAll * 100).toFixed(2)]).toEqual([
          'cat',
          ap11,
          apAll,
        ]);
        expect([cat.tp, cat.fp, cat.positives]).toEqual([tp, fp, 12]);
        expect([r.mAP11, r.mAPAll]).toEqual([cat.ap11, cat.apAll]);
      }
    },
  );
});

describe('eval: data set formats and reporting', () => {
  const detsDir = join(tmp, 'dets-v8');
  beforeAll(() => {
    // The MANIFEST reference detections of yolov8n as VOC-style detection files.
    mkdirSync(detsDir);
    for (const [image, dets] of Object.entries(manifestDetections('yolov8n-int8-coco-640.onnx')))
      writeFileSync(
        join(detsDir, image.replace('.jpg', '.txt')),
        dets
          .map(
            (d) =>
              `${d.className} ${d.score} ${d.box[0]} ${d.box[1]} ${d.box[2] - d.box[0]} ${d.box[3] - d.box[1]}`,
          )
          .join('\n'),
      );
  });

  it('YOLO, COCO, Label Studio and VOC text ground truth of the same boxes give the same result', async () => {
    const sets = [
      writeYoloSet(join(tmp, 'yolo')),
      writeCocoSet(join(tmp, 'coco')),
      writeLabelStudioSet(join(tmp, 'ls')),
      writeVocTxtSet(join(tmp, 'voc')),
    ];
    const results: { json: CocoLine; stderr: string }[] = [];
    for (const gt of sets) {
      const { line, stderr } = await evalJson(['--gt', gt, '--dets', detsDir]);
      results.push({ json: line as CocoLine, stderr });
    }
    const names = (r: CocoLine): string[] => r.perClass.map((c) => c.className);
    expect(names(results[0]!.json)).toEqual(CLASS_NAMES);
    expect(names(results[1]!.json)).toEqual(CLASS_NAMES);
    // Formats without a class list order classes by first appearance.
    expect([...names(results[2]!.json)].sort()).toEqual([...CLASS_NAMES].sort());
    const byName = (r: CocoLine) =>
      Object.fromEntries(r.perClass.map((c) => [c.className, [c.AP.toFixed(6), c.AP50, c.AR100.toFixed(6)]]));
    for (const r of results.slice(1)) {
      expect(r.json.stats).toEqual(results[0]!.json.stats);
      expect(byName(r.json)).toEqual(byName(results[0]!.json));
    }
    // Every reference box overlaps a labelled one well; the truck is a class the set does not have.
    expect(results[0]!.json.stats['AP50']).toBeCloseTo(1, 9);
    for (const r of results)
      expect(r.stderr).toBe(
        `vision-station: eval: ${detsDir}: detections of classes the ground truth does not have, not scored: truck (1)\n`,
      );
  });

  it('reports YOLO class indices without a name instead of dropping them silently', async () => {
    const dir = writeYoloSet(join(tmp, 'yolo-bad'));
    writeFileSync(join(dir, 'labels', 'dog.txt'), '7 0.5 0.5 0.2 0.2\n3 0.3 0.6 0.23 0.56\n');
    const { stderr } = await evalJson(['--gt', dir, '--dets', detsDir]);
    expect(stderr).toContain(
      `${join(dir, 'data.yaml')}: 1 label(s) of class index 7, which has no name (5 names), not scored`,
    );
  });

  it('refuses YOLO labels without class names instead of reading them as pixels', async () => {
    const dir = join(tmp, 'yolo-no-names');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), '0 0.5 0.5 0.2 0.2\n');
    const r = await runCli(['eval', '--gt', dir, '--dets', detsDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `vision-station: eval: ${dir}: these look like YOLO labels (class index, normalised box); add a data.yaml or classes.txt and an images/ folder\n`,
    );
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['--gt', 'a.json'],
      ['--gt', 'a.json', '--dets', 'b.json', '--model', 'm.onnx'],
      ['--gt', 'a.json', '--dets', 'b.json', '--iou', '0.5'],
      ['--gt', 'a.json', '--dets', 'b.json', '--format', 'yolo'],
    ]) {
      const r = await runCli(['eval', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await runCli(['eval', '--gt', join(tmp, 'nope.json'), '--dets', join(tmp, 'nope2.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`vision-station: eval: ${join(tmp, 'nope.json')} does not exist\n`);
  });
});

interface ModelLine extends CocoLine {
  model: string;
  provider: string;
  images: number;
  fps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  timedFrames: number;
}

describe('eval --model --data on the shared photos', () => {
  const setDir = join(tmp, 'photos');
  beforeAll(() => writeYoloSet(setDir));
  it.each([
    'yolo11n-int8-coco-320.onnx',
    'yolov8n-int8-coco-640.onnx',
    'yolov5n-fp16-coco-640.onnx',
    'yolox-nano-coco-416.onnx',
    'yolov10n-int8-coco-640-e2e.onnx',
    'yolov8n-seg-int8-coco-320.onnx',
  ])('%s finds the labelled objects', async (modelFile) => {
    const { line } = await evalJson([
      '--model',
      sharedModel(modelFile),
      '--data',
      setDir,
      '--timing-frames',
      '1',
    ]);
    const r = line as ModelLine;
    expect(r.model).toBe(modelFile.replace('.onnx', ''));
    expect([r.provider, r.images, r.format, r.timedFrames]).toEqual(['cpu', 3, 'coco', 3]);
    expect(r.perClass.map((c) => c.className)).toEqual(CLASS_NAMES);
    // Every MANIFEST reference run of these models overlaps each labelled object at IoU >= 0.5.
    expect(r.stats['AP50']).toBeGreaterThanOrEqual(0.9);
    expect(r.stats['AP']).toBeGreaterThan(0.5);
    expect(r.fps).toBeGreaterThan(0);
    expect(r.latencyMs.p50).toBeGreaterThan(0);
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  });
});

describe('compare-models', () => {
  const setDir = join(tmp, 'photos-compare');
  const models = ['yolo11n-int8-coco-320.onnx', 'yolox-nano-coco-416.onnx'];
  beforeAll(() => writeYoloSet(setDir));

  it('prints a table and a recommendation', async () => {
    const r = await runCli([
      'compare-models',
      '--models',
      models.map(sharedModel).join(','),
      '--data',
      setDir,
      '--timing-frames',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model\s+mAP50\s+mAP50-95\s+fps\s+p99 ms$/);
    for (const [i, m] of models.entries())
      expect(lines[i + 1]).toMatch(
        new RegExp(
          `^${m.replace('.onnx', '')}\\s+[01]\\.\\d{3}\\s+[01]\\.\\d{3}\\s+\\d+\\.\\d\\s+\\d+\\.\\d$`,
        ),
      );
    expect(lines[4]).toBe(
      '3 images; COCO mAP; fps and p99 latency measured on this machine (cpu), one frame at a time',
    );
    expect(lines[5]).toMatch(
      /^(recommended: \S+ \(mAP50-95 \d\.\d{3} at \d+\.\d fps; the most accurate model with fps >= 1.5 x 4 = 6\)|no model holds 4 fps with headroom \(fps >= 1.5 x 4 = 6\); the fastest is \S+ at \d+\.\d fps)$/,
    );
  });

  it('--json gives the figures and a recommendation consistent with them', async () => {
    const r = await runCli([
      'compare-models',
      '--models',
      models.map(sharedModel).join(','),
      '--data',
      setDir,
      '--timing-frames',
      '1',
      '--target-fps',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [out] = jsonLines(r.stdout) as {
      images: number;
      targetFps: number;
      headroom: number;
      requiredFps: number;
      models: { name: string; mAP50: number; 'mAP50-95': number; fps: number; latencyMs: { p99: number } }[];
      recommended: string | null;
      recommendation: string;
    }[];
    expect([out!.images, out!.targetFps, out!.headroom, out!.requiredFps]).toEqual([3, 2, 1.5, 3]);
    expect(out!.models.map((m) => m.name)).toEqual(models.map((m) => m.replace('.onnx', '')));
    const expected = recommendModel(
      out!.models.map((m) => ({
        name: m.name,
        mAP50: m.mAP50,
        mAP5095: m['mAP50-95'],
        fps: m.fps,
        p99LatencyMs: m.latencyMs.p99,
      })),
      2,
      1.5,
    );
    expect(out!.recommended).toBe(expected.name);
    expect(out!.recommendation).toBe(expected.text);
  });
});

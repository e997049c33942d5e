/**
 * Reads a labelled set or a detection file from disk, choosing the reader from what the path is:
 * a COCO JSON or Label Studio export (.json), a YOLO `data.yaml` or a folder with one, a folder
 * with `images/` and `labels/` plus a names file, or a folder of VOC-style text files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { DetectionRecord, LabelledImage, LabelledSet } from '../../core/metrics/labelled-set';
import { imageKeyResolver } from '../../core/metrics/labelled-set';
import { isCocoGroundTruth, parseCocoDetections, parseCocoGroundTruth } from './coco';
import { isLabelStudioExport, parseLabelStudioExport } from './label-studio';
import { parseVocTxt } from './voc-txt';
import { namesFromYaml, parseYamlSubset } from './yaml-subset';
import { labelPathFor, parseYoloLabels } from './yolo';

const IMAGE_EXTS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);
const NAMES_FILES = ['data.yaml', 'dataset.yaml', 'classes.txt', 'obj.names', 'names.txt', 'classes.names'];
/** A data set larger than this is refused rather than read half-way into memory. */
const MAX_IMAGES = 100_000;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new Error(`cannot read ${path} as JSON: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      // Follow links: a set is often assembled by linking images from elsewhere.
      const s = e.isSymbolicLink() ? statSync(p) : e;
      if (s.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (s.isFile() && IMAGE_EXTS.has(extname(e.name).toLowerCase())) out.push(p);
      if (out.length > MAX_IMAGES) throw new Error(`${dir} holds more than ${MAX_IMAGES} images`);
    }
  };
  walk(dir, 0);
  return out;
}

/** Finds an image file by name next to the data file, in an `images/` folder, or by stem. */
function imageFinder(baseDir: string): (fileName: string) => string | null {
  const candidates = [baseDir, join(baseDir, 'images')];
  let byStem: Map<string, string> | null = null;
  return (fileName) => {
    for (const dir of candidates) {
      const p = resolve(dir, fileName);
      if (existsSync(p)) return p;
      const b = join(dir, basename(fileName));
      if (existsSync(b)) return b;
    }
    if (!byStem) {
      byStem = new Map();
      for (const dir of candidates)
        if (isDir(dir))
          for (const f of readdirSync(dir))
            if (IMAGE_EXTS.has(extname(f).toLowerCase())) byStem.set(basename(f, extname(f)), join(dir, f));
    }
    return byStem.get(basename(fileName, extname(fileName))) ?? null;
  };
}

function attachFiles(set: LabelledSet, baseDir: string): LabelledSet {
  const find = imageFinder(baseDir);
  for (const img of set.images)
    for (const name of [img.fileName ?? img.key, ...(img.aliases ?? [])]) img.filePath ??= find(name);
  return set;
}

async function imageSize(path: string): Promise<{ widthPx: number; heightPx: number }> {
  const m = await sharp(path).metadata();
  if (!m.width || !m.height) throw new Error(`${path}: cannot read the image size`);
  return { widthPx: m.width, heightPx: m.height };
}

function readNamesFile(path: string): { names: string[]; problems: string[] } {
  const text = readFileSync(path, 'utf8');
  if (/\.ya?ml$/i.test(path)) return namesFromYaml(parseYamlSubset(text)['names']);
  return {
    names: text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== ''),
    problems: [],
  };
}

async function loadYolo(
  imageFiles: string[],
  names: string[],
  source: string,
  warnings: string[],
): Promise<LabelledSet> {
  const images: LabelledImage[] = [];
  const unknownIds = new Map<number, number>();
  let missingLabels = 0;
  for (const file of imageFiles) {
    const { widthPx, heightPx } = await imageSize(file);
    const labelPath = labelPathFor(file);
    const boxes: LabelledImage['boxes'] = [];
    if (existsSync(labelPath)) {
      for (const l of parseYoloLabels(readFileSync(labelPath, 'utf8'), widthPx, heightPx, labelPath)) {
        const className = names[l.classIndex];
        if (className === undefined) unknownIds.set(l.classIndex, (unknownIds.get(l.classIndex) ?? 0) + 1);
        else boxes.push({ className, xyxy: l.xyxy });
      }
    } else missingLabels++;
    images.push({
      key: basename(file, extname(file)),
      fileName: basename(file),
      filePath: file,
      widthPx,
      heightPx,
      boxes,
    });
  }
  for (const [id, n] of unknownIds)
    warnings.push(
      `${source}: ${n} label(s) of class index ${id}, which has no name (${names.length} names), not scored`,
    );
  if (missingLabels > 0)
    warnings.push(
      `${source}: ${missingLabels} image(s) without a label file, evaluated as having no objects`,
    );
  if (new Set(images.map((i) => i.key)).size !== images.length)
    throw new Error(`${source}: two images share a file stem; give each image a unique name`);
  return { format: 'yolo', classNames: names, classIds: names.map((_, i) => i), images, warnings };
}

async function loadYoloYaml(yamlPath: string): Promise<LabelledSet> {
  const y = parseYamlSubset(readFileSync(yamlPath, 'utf8'));
  const { names, problems } = namesFromYaml(y['names']);
  const warnings = problems.map((p) => `${yamlPath}: ${p}`);
  if (names.length === 0) throw new Error(`${yamlPath}: no class names (names: as a list or a map)`);
  const root = typeof y['path'] === 'string' ? resolve(dirname(yamlPath), y['path']) : dirname(yamlPath);
  const split = ['val', 'test', 'train'].map((k) => y[k]).find((v): v is string => typeof v === 'string');
  const imagesDir = split !== undefined ? resolve(root, split) : join(root, 'images');
  if (!isDir(imagesDir))
    throw new Error(
      `${yamlPath}: the image folder ${imagesDir} does not exist (image list files are not supported)`,
    );
  return loadYolo(listImages(imagesDir), names, yamlPath, warnings);
}

function loadVocTxtSet(dir: string): LabelledSet {
  const txtDir = isDir(join(dir, 'labels')) ? join(dir, 'labels') : dir;
  const classNames: string[] = [];
  const images: LabelledImage[] = readdirSync(txtDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const boxes = parseVocTxt(readFileSync(join(txtDir, f), 'utf8'), 'gt', join(txtDir, f)).map((l) => {
        if (!classNames.includes(l.className)) classNames.push(l.className);
        return { className: l.className, xyxy: l.xyxy };
      });
      return {
        key: basename(f, '.txt'),
        fileName: null,
        filePath: null,
        widthPx: null,
        heightPx: null,
        boxes,
      };
    });
  if (images.length === 0) throw new Error(`${dir}: no .txt ground-truth files`);
  // YOLO labels also have five fields; read as pixels they would be tiny boxes of classes "0", "1"...
  const boxes = images.flatMap((i) => i.boxes);
  if (boxes.length > 0 && boxes.every((b) => /^\d+$/.test(b.className) && b.xyxy.every((v) => v <= 2)))
    throw new Error(
      `${dir}: these look like YOLO labels (class index, normalised box); add a data.yaml or classes.txt and an images/ folder`,
    );
  return attachFiles(
    { format: 'voc-txt', classNames, classIds: classNames.map((_, i) => i), images, warnings: [] },
    dir,
  );
}

export async function loadLabelledSet(path: string): Promise<LabelledSet> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (isDir(path)) {
    const yaml = ['data.yaml', 'dataset.yaml'].map((f) => join(path, f)).find(existsSync);
    if (yaml) return loadYoloYaml(yaml);
    const namesFile = NAMES_FILES.map((f) => join(path, f)).find(existsSync);
    if (namesFile && isDir(join(path, 'images'))) {
      const { names, problems } = readNamesFile(namesFile);
      if (names.length === 0) throw new Error(`${namesFile}: no class names`);
      return loadYolo(
        listImages(join(path, 'images')),
        names,
        path,
        problems.map((p) => `${namesFile}: ${p}`),
      );
    }
    return loadVocTxtSet(path);
  }
  if (/\.ya?ml$/i.test(path)) return loadYoloYaml(path);
  const json = readJson(path);
  if (isCocoGroundTruth(json)) return attachFiles(parseCocoGroundTruth(json, path), dirname(path));
  if (isLabelStudioExport(json)) return attachFiles(parseLabelStudioExport(json, path), dirname(path));
  throw new Error(
    `${path}: not COCO ground truth (images, categories, annotations) nor a Label Studio JSON export`,
  );
}

/** Detections for `set`: a COCO results JSON, or a folder of `<class> <conf> <x> <y> <w> <h>` files. */
export function loadDetections(
  path: string,
  set: LabelledSet,
): { detections: DetectionRecord[]; warnings: string[] } {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (!isDir(path)) return parseCocoDetections(readJson(path), set, path);
  const resolveKey = imageKeyResolver(set);
  const detections: DetectionRecord[] = [];
  const unmatched: string[] = [];
  for (const f of readdirSync(path)
    .filter((n) => n.endsWith('.txt'))
    .sort()) {
    const stem = basename(f, '.txt');
    const key = resolveKey(stem);
    const lines = parseVocTxt(readFileSync(join(path, f), 'utf8'), 'dets', join(path, f));
    if (key === null) {
      if (lines.length > 0) unmatched.push(stem);
      continue;
    }
    for (const l of lines)
      detections.push({ imageKey: key, className: l.className, score: l.score!, xyxy: l.xyxy });
  }
  const warnings =
    unmatched.length > 0
      ? [`${path}: detection files for images not in the ground truth, not scored: ${unmatched.join(', ')}`]
      : [];
  return { detections, warnings };
}

/**
 * Semantic segmentation end to end with the real models of ../shared/models: DeepLabV3 with a
 * sidecar giving its preprocessing (shares checked against MANIFEST.md, read at test time), the two
 * road models on a frame drawn by ffmpeg, and a real `run` that sends regions of an object class
 * to the built-in S7 PLC simulator.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { MODELS_DIR, sharedImage, sharedModel } from '../helpers/paths';

interface ClassShare {
  classId: number;
  className: string;
  pixels: number;
  fraction: number;
}
interface SegLine {
  image: string;
  width: number;
  height: number;
  model: { family: string; task: string };
  detections: {
    classId: number;
    className: string;
    score: number;
    box: number[];
    mask: { areaPx: number; polygon: number[][]; angleDeg: number; centroid: number[] };
  }[];
  segmentation: {
    width: number;
    height: number;
    heads: {
      name: string;
      classes: ClassShare[];
      rle: { width: number; height: number; values: number[]; counts: number[] };
    }[];
    classes: ClassShare[];
  };
}

const DEEPLAB = 'deeplabv3-mnv2-voc21-257-nhwc.onnx';
const VOC21 =
  'background aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor'.split(
    ' ',
  );
const tmp = mkdtempSync(join(tmpdir(), 'vs-semantic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A model from ../shared/models seen through a symlink in tmp, with a sidecar beside it. */
function withSidecar(modelFile: string, linkName: string, sidecar: object): string {
  const link = join(tmp, `${linkName}.onnx`);
  symlinkSync(sharedModel(modelFile), link);
  writeFileSync(join(tmp, `${linkName}.json`), JSON.stringify(sidecar));
  return link;
}

/** MANIFEST.md's "whole photo" class shares for a model: image → { class: share }. */
function manifestWholeShares(modelFile: string): Record<string, Record<string, number>> {
  const text = readFileSync(resolve(MODELS_DIR, 'MANIFEST.md'), 'utf8');
  const start = text.indexOf(`## ${modelFile}`);
  const section = text.slice(start, text.indexOf('\n## ', start + 3));
  const out: Record<string, Record<string, number>> = {};
  for (const line of section.split('\n')) {
    const m = /^\|\s*(\w+\.jpg), whole photo\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    out[m[1]!] = Object.fromEntries(
      m[2]!.split(',').map((s) => {
        const p = /^\s*(\w+) (\d+) %\s*$/.exec(s);
        if (!p) throw new Error(`cannot read share '${s}'`);
        return [p[1]!, Number(p[2]) / 100];
      }),
    );
  }
  return out;
}

/** Per-class shares of the RLE class map inside rows [y0, y1). */
function bandShares(rle: SegLine['segmentation']['heads'][0]['rle'], y0: number, y1: number): number[] {
  const counts: number[] = [];
  let p = 0;
  rle.values.forEach((v, i) => {
    for (let k = 0; k < rle.counts[i]!; k++, p++) {
      const y = Math.floor(p / rle.width);
      if (y >= y0 && y < y1) counts[v] = (counts[v] ?? 0) + 1;
    }
  });
  const total = (y1 - y0) * rle.width;
  return Array.from(counts, (c) => (c ?? 0) / total);
}

describe('DeepLabV3 (NHWC, -1..1) with a sidecar', () => {
  it('per-class shares of every photo are within 0.03 of MANIFEST.md, and the RLE covers the photo', async () => {
    const model = withSidecar(DEEPLAB, 'deeplab', {
      version: 2,
      task: 'semantic',
      names: VOC21,
      preprocess: {
        resize: 'stretch',
        channelOrder: 'rgb',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
    });
    const images = ['dog.jpg', 'horses.jpg', 'person.jpg'];
    const r = await runCli(['detect', '--model', model, ...images.map(sharedImage)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as SegLine[];
    const ref = manifestWholeShares(DEEPLAB);
    expect(Object.keys(ref).sort()).toEqual(images);
    for (const line of lines) {
      const name = images.find((i) => line.image.endsWith(i))!;
      expect(line.model).toMatchObject({ family: 'semantic', task: 'semantic' });
      const seg = line.segmentation;
      expect([seg.width, seg.height]).toEqual([line.width, line.height]);
      expect(seg.classes).toEqual(seg.heads[0]!.classes);
      const got = Object.fromEntries(seg.classes.map((c) => [c.className, c.fraction]));
      for (const [cls, share] of Object.entries(ref[name]!))
        expect(
          Math.abs((got[cls] ?? 0) - share),
          `${name} ${cls}: ${got[cls]} vs ${share}`,
        ).toBeLessThanOrEqual(0.03);
      // Classes MANIFEST leaves out are under 1 %.
      for (const c of seg.classes)
        if (!(c.className in ref[name]!)) expect(c.fraction).toBeLessThan(0.01 + 0.03);
      const total = seg.classes.reduce((s, c) => s + c.pixels, 0);
      expect(total).toBe(line.width * line.height);
      const rle = seg.heads[0]!.rle;
      expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(line.width * line.height);
      expect(line.detections).toEqual([]);
    }
  });
});

describe('road models on a road frame drawn by ffmpeg', () => {
  const frame = join(tmp, 'road.png');
  beforeAll(() => {
    // Sky above y=330, a green verge, then grey tarmac with a dashed white centre line.
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=0x8fb8de:s=1280x720,drawbox=x=0:y=360:w=1280:h=360:color=0x505050:t=fill,' +
        'drawbox=x=630:y=400:w=20:h=60:color=white:t=fill,drawbox=x=630:y=520:w=20:h=80:color=white:t=fill,' +
        'drawbox=x=0:y=330:w=1280:h=30:color=0x2f5f2f:t=fill',
      '-frames:v',
      '1',
      frame,
    ]);
  });

  it('road-segmentation-adas-0001 (NHWC softmax, BGR 0..255): road only on the tarmac, sky all background', async () => {
    const model = withSidecar('road-segmentation-adas-0001-4class-896x512-nhwc.onnx', 'road', {
      version: 2,
      task: 'semantic',
      names: ['BG', 'road', 'curb', 'mark'],
      preprocess: { resize: 'stretch', channelOrder: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] },
    });
    const r = await runCli(['detect', '--model', model, frame]);
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as SegLine[];
    const shares = Object.fromEntries(line!.segmentation.classes.map((c) => [c.className, c.fraction]));
    expect(shares['BG']).toBeGreaterThan(0.5);
    expect(shares['road']).toBeGreaterThan(0.1);
    const rle = line!.segmentation.heads[0]!.rle;
    expect(bandShares(rle, 0, 330)[0]).toBeGreaterThan(0.99);
    expect(bandShares(rle, 360, 720)[1]).toBeGreaterThan(0.2);
  });

  it('TwinLiteNet with no sidecar: two heads named after their outputs, nothing drivable in the sky', async () => {
    const r = await runCli([
      'detect',
      '--model',
      sharedModel('twinlitenet-bdd100k-drivable-lane-320.onnx'),
      frame,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as SegLine[];
    expect(line!.model).toMatchObject({ family: 'semantic', task: 'semantic' });
    const heads = line!.segmentation.heads;
    expect(heads.map((h) => h.name)).toEqual(['drivable_area', 'lanes']);
    for (const h of heads) {
      expect(h.classes.reduce((s, c) => s + c.fraction, 0)).toBeCloseTo(1, 4);
      expect(h.classes.every((c) => c.className === 'class0' || c.className === 'class1')).toBe(true);
      expect(bandShares(h.rle, 0, 330)[0]).toBeGreaterThan(0.99);
    }
  });
});

describe('run with DeepLabV3: regions of an object class reach the PLC', () => {
  it('person regions of a clip made from person.jpg are sent as records to the S7 simulator', async () => {
    const model = withSidecar(DEEPLAB, 'deeplab-objects', {
      version: 2,
      task: 'semantic',
      names: VOC21,
      preprocess: {
        resize: 'stretch',
        channelOrder: 'rgb',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
      objectClasses: ['person'],
      minAreaPx: 300,
    });
    const clip = join(tmp, 'person.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      sharedImage('person.jpg'),
      '-frames:v',
      '3',
      '-c:v',
      'libx264',
      '-crf',
      '12',
      '-pix_fmt',
      'yuv444p',
      clip,
    ]);
    const r = await runCli([
      'run',
      '--source',
      `file:${clip}?fps=max`,
      '--model',
      model,
      '--plc',
      'sim',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const frames = (jsonLines(r.stdout) as { frameId: number; detections: SegLine['detections'] }[]).slice(
      0,
      -1,
    );
    expect(frames).toHaveLength(3);
    for (const f of frames) {
      const persons = f.detections.filter((d) => d.className === 'person');
      expect(persons).toHaveLength(1);
      const [x1, y1, x2, y2] = persons[0]!.box;
      // MANIFEST.md's person box on person.jpg is [191,100,275,375]; the region lies on it.
      expect(x1).toBeGreaterThan(160);
      expect(x2).toBeLessThan(300);
      expect(y1).toBeGreaterThan(80);
      expect(y2).toBeLessThan(400);
      expect(persons[0]!.mask.polygon.length).toBeGreaterThanOrEqual(4);
    }
    const sim = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('plc-sim: '))
      .map(
        (l) =>
          JSON.parse(l.slice('plc-sim: '.length)) as {
            frameId: number;
            count: number;
            status: { resultsValid: boolean; stale: boolean };
            records: {
              classId: number;
              x: number;
              y: number;
              width: number;
              height: number;
              angleDeg: number;
            }[];
          },
      );
    // The last frame is flushed to the PLC. A write can be stale on a very busy machine (the
    // staleness limit is 1 s); it then carries no records, by contract. Every valid write carries
    // the person region of its frame.
    expect(sim.at(-1)!.frameId).toBe(frames.at(-1)!.frameId);
    const valid = sim.filter((s) => s.status.resultsValid);
    expect(valid.length, 'no valid PLC write at all').toBeGreaterThan(0);
    for (const s of sim.filter((x) => x.status.stale)) expect(s.count).toBe(0);
    for (const s of valid) {
      const f = frames.find((x) => x.frameId === s.frameId)!;
      expect(s.count).toBe(f.detections.length);
      const person = f.detections.find((d) => d.className === 'person')!;
      const rec = s.records.slice(0, s.count).find((x) => x.classId === 15)!;
      expect(rec).toBeDefined();
      expect(rec.x).toBeCloseTo((person.box[0]! + person.box[2]!) / 2, 1);
      expect(rec.y).toBeCloseTo((person.box[1]! + person.box[3]!) / 2, 1);
      expect(rec.angleDeg).toBeCloseTo(person.mask.angleDeg, 1);
    }
  });
});

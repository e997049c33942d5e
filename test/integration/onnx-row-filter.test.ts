/**
 * The row filter in the graph (src/main/core/onnx-row-filter.ts) on real models: the same
 * detections, to the last bit, as the model's whole output decoded in JavaScript, over consecutive
 * frames of different content and thresholds; the buffer the decoder reads is the same object every
 * frame; and onnxruntime hands back a few KB per frame instead of the whole output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodeParams } from '../../src/main/core/decoders/types';
import { decodeImagePath } from '../../src/main/inference/image-input';
import type { ModelFamily } from '../../src/shared/detection';
import { OnnxModel, rowFilterSpecFor } from '../../src/main/inference/onnx-model';
import type { RgbImage } from '../../src/main/inference/preprocess';
import { sharedImage, sharedModel } from '../helpers/paths';

const AT = (confThreshold: number): DecodeParams => ({
  confThreshold,
  iouThreshold: 0.45,
  maxDet: 300,
  classFilter: null,
});

async function load(file: string, filter: boolean): Promise<OnnxModel> {
  const before = process.env['VISION_STATION_ORT_FILTER'];
  if (!filter) process.env['VISION_STATION_ORT_FILTER'] = '0';
  try {
    // A fixed thread count: one session, no timing at load.
    return await OnnxModel.load({
      kind: 'onnx',
      path: sharedModel(file),
      providers: ['cpu'],
      intraOpThreads: 1,
      spinning: false,
    });
  } finally {
    if (before === undefined) delete process.env['VISION_STATION_ORT_FILTER'];
    else process.env['VISION_STATION_ORT_FILTER'] = before;
  }
}

let photos: Record<'dog' | 'horses' | 'person', RgbImage>;
const grey: RgbImage = { rgb: new Uint8Array(640 * 480 * 3).fill(114), widthPx: 640, heightPx: 480 };

beforeAll(async () => {
  photos = {
    dog: await decodeImagePath(sharedImage('dog.jpg')),
    horses: await decodeImagePath(sharedImage('horses.jpg')),
    person: await decodeImagePath(sharedImage('person.jpg')),
  };
});

const CASES = [
  // [model, bytes of its whole first output (+ protos) per frame]
  { file: 'yolox-nano-coco-416.onnx', wholeBytes: 3549 * 85 * 4 },
  { file: 'yolov5n-fp16-coco-640.onnx', wholeBytes: 25200 * 85 * 2 },
  { file: 'yolo11n-int8-coco-320.onnx', wholeBytes: 84 * 2100 * 4 },
  { file: 'yolov8n-seg-int8-coco-320.onnx', wholeBytes: 116 * 2100 * 4 + 32 * 80 * 80 * 4 },
] as const;

describe.each(CASES)('row filter on $file', ({ file, wholeBytes }) => {
  let filtered: OnnxModel;
  let whole: OnnxModel;
  beforeAll(async () => {
    filtered = await load(file, true);
    whole = await load(file, false);
  }, 60_000);
  afterAll(async () => {
    await filtered?.release();
    await whole?.release();
  });

  it('gives the same detections as the whole output, frame after frame, in one reused buffer', async () => {
    expect(filtered.filtersRows).toBe(true);
    expect(whole.filtersRows).toBe(false);
    const buffer = filtered.filteredOutputBuffer;
    expect(buffer).toBeInstanceOf(Float32Array);
    const seg = file.includes('seg');
    const protos = filtered.croppedProtosBuffer;
    expect(protos === null).toBe(!seg);
    // Different content one after the other, a low threshold among them (many rows kept) and a
    // grey frame right after it: rows kept on one frame must not leak into the next.
    const frames: [RgbImage, number][] = [
      [photos.dog, 0.25],
      [photos.horses, 0.25],
      [photos.person, 0.05],
      [grey, 0.25],
      [photos.dog, 0.25],
      [photos.person, 0.25],
    ];
    let seen = 0;
    for (const [img, conf] of frames) {
      const a = await filtered.run(img, AT(conf));
      const b = await whole.run(img, AT(conf));
      expect(a.detections).toEqual(b.detections);
      seen += a.detections.length;
      expect(filtered.filteredOutputBuffer).toBe(buffer);
      expect(filtered.croppedProtosBuffer).toBe(protos);
      // What onnxruntime copied out: the whole output unfiltered, a small part filtered.
      expect(whole.lastOutputBytes).toBe(wholeBytes);
      expect(filtered.lastOutputBytes).toBeLessThan(
        file.includes('seg') ? 32 * 80 * 80 * 4 + 100_000 : 100_000,
      );
    }
    expect(seen).toBeGreaterThan(10);
    if (file.includes('seg')) {
      const last = await filtered.run(photos.horses, AT(0.25));
      expect(last.detections.some((d) => d.mask !== undefined)).toBe(true);
    }
  }, 60_000);
});

describe('rowFilterSpecFor', () => {
  const yolox = {
    family: 'yolox' as ModelFamily,
    numClasses: 80,
    outputNames: ['output'],
    inputWidthPx: 416,
    inputHeightPx: 416,
  };
  const rows = (): number[] => [1, 3549, 85];

  it('filters YOLOX rows on the objectness column from opset 11 on', () => {
    expect(rowFilterSpecFor(yolox, rows, 11)).toEqual({
      outputName: 'output',
      rank: 3,
      keepAxis: 1,
      scoreAxis: 2,
      scoreStart: 4,
      scoreEnd: 5,
      opset: 11,
    });
    expect(rowFilterSpecFor(yolox, rows, 10)).toBeNull();
    expect(rowFilterSpecFor(yolox, rows, 0)).toBeNull();
    expect(rowFilterSpecFor(yolox, () => [1, 3549, 84], 11)).toBeNull();
  });

  it('crops the prototypes of a segmentation head, by output name, and leaves OBB heads alone', () => {
    const dims: Record<string, number[]> = { output0: [1, 116, 2100], output1: [1, 32, 80, 80] };
    const seg = {
      family: 'yolov8-seg' as ModelFamily,
      numClasses: 80,
      outputNames: ['output0', 'output1'],
      inputWidthPx: 320,
      inputHeightPx: 320,
    };
    expect(rowFilterSpecFor(seg, (n) => dims[n]!, 19)?.protoCrop).toEqual({
      protosName: 'output1',
      heightCells: 80,
      widthCells: 80,
      cellsPerInputX: 0.25,
      cellsPerInputY: 0.25,
    });
    expect(rowFilterSpecFor({ ...seg, family: 'yolov8-obb' as ModelFamily }, (n) => dims[n]!, 19)).toBeNull();
  });
});

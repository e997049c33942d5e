import { describe, expect, it } from 'vitest';
import { toCoco } from '../../src/main/core/formats/coco';
import {
  labelStudioConfig,
  readLabelStudio,
  toLabelStudioTasks,
} from '../../src/main/core/formats/labelstudio';
import { selectFrames } from '../../src/main/core/formats/selection';
import { toCsv, toJsonLines } from '../../src/main/core/formats/tabular';
import type { ExportFrame } from '../../src/main/core/formats/types';
import { yoloDataYaml, yoloLabelName, yoloLabelText } from '../../src/main/core/formats/yolo';

const frames: ExportFrame[] = [
  {
    frameNo: 1,
    frameId: 11,
    captureTimeMs: 1000,
    widthPx: 200,
    heightPx: 100,
    imageName: 'f1.jpg',
    detections: [
      { classId: 1, className: 'nut, "m6"', score: 0.91234, box: [10, 20, 50, 60], trackId: 3 },
      {
        classId: 0,
        className: 'bolt',
        score: 0.4,
        box: [100, 0, 200, 100],
        polygon: [
          [100, 0],
          [200, 0],
          [150, 100],
        ],
        areaPx: 5000,
      },
    ],
  },
  {
    frameNo: 2,
    frameId: 12,
    captureTimeMs: 2000,
    widthPx: 200,
    heightPx: 100,
    imageName: 'f2.jpg',
    detections: [],
  },
];

describe('tabular exports', () => {
  it('CSV: one row per detection, quoted where needed', () => {
    expect(toCsv(frames).split('\n')).toEqual([
      'capture_time_ms,frame_no,frame_id,class_id,class_name,score,x1,y1,x2,y2,track_id,image_width,image_height',
      '1000,1,11,1,"nut, ""m6""",0.9123,10,20,50,60,3,200,100',
      '1000,1,11,0,bolt,0.4,100,0,200,100,,200,100',
      '',
    ]);
  });
  it('JSON lines: one line per frame', () => {
    const lines = toJsonLines(frames)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { frameId: number; detections: unknown[] });
    expect(lines.map((l) => [l.frameId, l.detections.length])).toEqual([
      [11, 2],
      [12, 0],
    ]);
  });
});

describe('COCO', () => {
  it('images, annotations with xywh bbox and area, categories by id + 1', () => {
    const c = toCoco(frames, ['bolt', 'nut'], 'test');
    expect(c.images).toEqual([
      { id: 1, file_name: 'f1.jpg', width: 200, height: 100, capture_time_ms: 1000, frame_id: 11 },
      { id: 2, file_name: 'f2.jpg', width: 200, height: 100, capture_time_ms: 2000, frame_id: 12 },
    ]);
    expect(c.annotations).toEqual([
      { id: 1, image_id: 1, category_id: 2, bbox: [10, 20, 40, 40], area: 1600, iscrowd: 0, score: 0.91234 },
      {
        id: 2,
        image_id: 1,
        category_id: 1,
        bbox: [100, 0, 100, 100],
        area: 5000,
        iscrowd: 0,
        score: 0.4,
        segmentation: [[100, 0, 200, 0, 150, 100]],
      },
    ]);
    expect(c.categories).toEqual([
      { id: 1, name: 'bolt' },
      { id: 2, name: 'nut' },
    ]);
  });
});

describe('YOLO', () => {
  it('normalised cx cy w h per line, data.yaml with names', () => {
    expect(yoloLabelText(frames[0]!)).toBe(
      '1 0.150000 0.400000 0.200000 0.400000\n0 0.750000 0.500000 0.500000 1.000000\n',
    );
    expect(yoloLabelText(frames[1]!)).toBe('');
    expect(yoloLabelName('frame-1.jpg')).toBe('frame-1.txt');
    expect(yoloDataYaml(['bolt', "o'ring"])).toBe(
      "path: .\ntrain: images\nval: images\nnc: 2\nnames:\n  0: 'bolt'\n  1: 'o''ring'\n",
    );
  });
});

describe('Label Studio', () => {
  const tasks = toLabelStudioTasks(frames, {
    modelVersion: 'm1',
    imageUrlPrefix: '/data/local-files/?d=images/',
  });
  it('one task per frame, one prediction with model_version, rectangles and polygons in percent', () => {
    expect(tasks).toHaveLength(2);
    expect(tasks[0]!.data).toEqual({
      image: '/data/local-files/?d=images/f1.jpg',
      capture_time_ms: 1000,
      frame_no: 1,
    });
    expect(tasks[0]!.predictions).toHaveLength(1);
    const p = tasks[0]!.predictions[0];
    expect(p.model_version).toBe('m1');
    expect(p.score).toBeCloseTo((0.91234 + 0.4) / 2, 10);
    expect(p.result.map((r) => [r.type, r.from_name, r.value])).toEqual([
      [
        'rectanglelabels',
        'label',
        { x: 5, y: 20, width: 20, height: 40, rotation: 0, rectanglelabels: ['nut, "m6"'] },
      ],
      [
        'rectanglelabels',
        'label',
        { x: 50, y: 0, width: 50, height: 100, rotation: 0, rectanglelabels: ['bolt'] },
      ],
      [
        'polygonlabels',
        'polygon',
        {
          points: [
            [50, 0],
            [100, 0],
            [75, 100],
          ],
          closed: true,
          polygonlabels: ['bolt'],
        },
      ],
    ]);
    expect(tasks[1]!.predictions[0].result).toEqual([]);
    expect(labelStudioConfig(['a&b'], true)).toContain(
      '<PolygonLabels name="polygon" toName="image">\n    <Label value="a&amp;b"/>',
    );
  });
  it('reads tasks back in pixels, annotations over predictions', () => {
    const back = readLabelStudio(tasks);
    expect(back[0]!.objects.map((o) => [o.className, o.box, o.score])).toEqual([
      ['nut, "m6"', [10, 20, 50, 60], 0.91234],
      ['bolt', [100, 0, 200, 100], 0.4],
      ['bolt', [100, 0, 200, 100], 0.4],
    ]);
    const annotated = [
      {
        ...tasks[0],
        annotations: [
          {
            result: [
              {
                ...tasks[0]!.predictions[0].result[0],
                value: { x: 0, y: 0, width: 50, height: 50, rectanglelabels: ['nut'] },
              },
            ],
          },
        ],
      },
    ];
    expect(readLabelStudio(annotated)[0]!.objects).toEqual([
      { className: 'nut', box: [0, 0, 100, 50], score: 0.91234 },
    ]);
    expect(() => readLabelStudio({})).toThrow('a Label Studio export is a JSON array of tasks');
    expect(() =>
      readLabelStudio([
        {
          data: { image: 'x' },
          predictions: [
            {
              result: [
                { type: 'rectanglelabels', value: { x: 'a' }, original_width: 10, original_height: 10 },
              ],
            },
          ],
        },
      ]),
    ).toThrow('task 0 result 0: x is not a number');
  });
});

describe('selection', () => {
  it('by time range, class, and doubtful band', () => {
    const ids = (sel: Parameters<typeof selectFrames>[1]) => selectFrames(frames, sel).map((f) => f.frameNo);
    expect(ids({ fromMs: 1001 })).toEqual([2]);
    expect(ids({ toMs: 1000 })).toEqual([1]);
    expect(ids({ ranges: [{ startMs: 1500, endMs: 2500 }] })).toEqual([2]);
    expect(ids({ classes: ['bolt'] })).toEqual([1]);
    expect(ids({ doubtful: { minScore: 0.3, confThreshold: 0.5 } })).toEqual([1]);
    expect(ids({ doubtful: { minScore: 0.45, confThreshold: 0.5 } })).toEqual([]);
  });
});

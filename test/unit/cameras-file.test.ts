import { describe, expect, it } from 'vitest';
import { parseCamerasFile } from '../../src/main/core/cameras-file';

const defaults = { confThreshold: 0.25, iouThreshold: 0.45, resolveModel: (p: string) => `/cfg/${p}` };
const parse = (input: unknown) => parseCamerasFile(input, defaults);

describe('cameras file', () => {
  it('gives every camera the shared model and thresholds unless it has its own', () => {
    const cams = parse({
      model: 'models/shared.onnx',
      conf: 0.4,
      cameras: [
        { name: 'infeed', source: 'synthetic:', plc: 's7://10.0.0.5?db=11' },
        {
          name: 'outfeed',
          source: 'rtsp://cam2/stream',
          model: 'classic',
          iou: 0.6,
          classes: ['bottle'],
          classConf: { bottle: 0.5 },
          track: true,
          zones: ['include:0,0,100,0,100,100'],
          lines: ['exit=0,50,100,50', { name: 'mid', x1: 0, y1: 20, x2: 100, y2: 20 }],
          serial: '/dev/ttyUSB0?baud=115200',
        },
      ],
    });
    expect(cams.map((c) => [c.name, c.model, c.confThreshold, c.iouThreshold])).toEqual([
      ['infeed', '/cfg/models/shared.onnx', 0.4, 0.45],
      ['outfeed', 'classic', 0.4, 0.6],
    ]);
    expect(cams[0]!.plc).toBe('s7://10.0.0.5?db=11');
    expect(cams[0]!.track).toBe(false);
    expect(cams[1]!.classes).toEqual(['bottle']);
    expect(cams[1]!.classConf).toEqual([['bottle', 0.5]]);
    expect(cams[1]!.zones).toEqual([
      {
        kind: 'include',
        polygon: [
          [0, 0],
          [100, 0],
          [100, 100],
        ],
      },
    ]);
    expect(cams[1]!.lines).toEqual([
      { name: 'exit', x1: 0, y1: 50, x2: 100, y2: 50 },
      { name: 'mid', x1: 0, y1: 20, x2: 100, y2: 20 },
    ]);
  });

  it.each([
    [{}, 'cameras: is required: a list of cameras, each with a name and a source'],
    [{ cameras: [] }, 'cameras: needs at least one camera'],
    [
      { model: 'm.onnx', cameras: [{ name: 'a' }] },
      'cameras[0] ("a").source: is required (e.g. "synthetic:", "rtsp://...", "v4l2:/dev/video0")',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a b', source: 'synthetic:' }] },
      'cameras[0] ("a b").name: must be 1 to 32 letters, digits, _ . or -',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a', source: 'synthetic:', conf: 2 }] },
      'cameras[0] ("a").conf: must be between 0 and 1',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a', source: 'synthetic:', fps: 2 }] },
      'cameras[0] ("a"): Unrecognized key: "fps"',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a', source: 'synthetic:', zones: ['inside:1,2'] }] },
      'cameras[0] ("a").zones[0]: zone \'inside:1,2\' must be include:x1,y1,x2,y2,x3,y3[,...] or exclude:...',
    ],
    [
      {
        model: 'm.onnx',
        cameras: [{ name: 'a', source: 'synthetic:', zones: [{ kind: 'include', polygon: [[0, 0]] }] }],
      },
      'cameras[0] ("a").zones[0]: polygon: a zone needs at least 3 points',
    ],
    [
      { cameras: [{ name: 'a', source: 'synthetic:' }] },
      'cameras[0] ("a"): no model; give "model" for this camera, or one at the top of the file for every camera',
    ],
    [
      {
        model: 'm.onnx',
        cameras: [
          { name: 'a', source: 'synthetic:' },
          { name: 'a', source: 'synthetic:' },
        ],
      },
      'cameras[1] ("a").name: cameras[0] has the same name; names must differ',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a', source: 'synthetic:', lines: ['x=0,0,1,1'] }] },
      'cameras[0] ("a").lines: counting lines need "track": true (a crossing is a track changing side)',
    ],
    [
      { model: 'm.onnx', cameras: [{ name: 'a', source: 'synthetic:', classic: 'learnFrames=5' }] },
      "cameras[0] (\"a\").classic: sets the classic detector, but the camera's model is not 'classic'",
    ],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });
});

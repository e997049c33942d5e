import { describe, expect, it } from 'vitest';
import {
  CLASSIC,
  emptyForm,
  formFromSetting,
  refusedIndex,
  SAME_AS_MAIN,
  sameSettings,
  settingFromForm,
  validateForm,
  type CameraForm,
} from '../../src/renderer/src/camera-form';

const form = (over: Partial<CameraForm> = {}): CameraForm => ({
  name: 'infeed',
  source: 'synthetic:?size=640x480&fps=8',
  model: '/models/a.onnx',
  conf: '',
  iou: '',
  track: false,
  plc: '',
  serial: '',
  ...over,
});

const keys = (f: CameraForm, others: string[] = [], lines = false) =>
  validateForm(f, others, lines).map((p) => `${p.field}:${p.key}`);

describe('camera form', () => {
  it('a new form takes the main camera model, or classic when the main camera has none', () => {
    expect(emptyForm('/m.onnx').model).toBe(SAME_AS_MAIN);
    expect(emptyForm(null).model).toBe(CLASSIC);
  });

  it('accepts a plain camera, and every source kind the station knows', () => {
    expect(keys(form())).toEqual([]);
    for (const source of [
      'rtsp://10.0.0.21/stream1',
      'rtsps://user:pw@cam.local:322/x',
      'udp://192.168.0.10:5000',
      'file:/media/clip.mp4?loop=1',
      'images:/media/shots',
      'v4l2:/dev/video0?size=1280x720',
      'synthetic:',
    ])
      expect(keys(form({ source })), source).toEqual([]);
  });

  it('names: the pattern, "main", and names of other cameras are refused', () => {
    expect(keys(form({ name: '' }))).toEqual(['name:name']);
    expect(keys(form({ name: 'in feed' }))).toEqual(['name:name']);
    expect(keys(form({ name: 'x'.repeat(33) }))).toEqual(['name:name']);
    expect(keys(form({ name: 'main' }))).toEqual(['name:nameMain']);
    expect(validateForm(form(), ['outfeed', 'infeed'])).toEqual([
      { field: 'name', key: 'nameTaken', params: { name: 'infeed' } },
    ]);
  });

  it('sources: empty, unknown scheme, network without host, file without path', () => {
    expect(keys(form({ source: ' ' }))).toEqual(['source:sourceRequired']);
    expect(keys(form({ source: '/dev/video0' }))).toEqual(['source:sourceScheme']);
    expect(keys(form({ source: 'nope:x' }))).toEqual(['source:sourceScheme']);
    expect(validateForm(form({ source: 'rtsp:10.0.0.1' }), [])).toEqual([
      { field: 'source', key: 'sourceHost', params: { scheme: 'rtsp' } },
    ]);
    expect(keys(form({ source: 'file:' }))).toEqual(['source:sourcePath']);
  });

  it('thresholds: empty or a number from 0 to 1', () => {
    expect(keys(form({ conf: '0', iou: '1' }))).toEqual([]);
    expect(keys(form({ conf: '1.5' }))).toEqual(['conf:threshold']);
    expect(keys(form({ conf: '0,5' }))).toEqual([]);
    expect(settingFromForm(form({ conf: '0,5' }), null, null).conf).toBe(0.5);
    expect(keys(form({ conf: '0,5,1' }))).toEqual(['conf:threshold']);
    expect(keys(form({ conf: 'abc', iou: '-0.1' }))).toEqual(['conf:threshold', 'iou:threshold']);
  });

  it('PLC and serial: URI shape, a DB number, no simulator; kept lines need tracking', () => {
    expect(keys(form({ plc: 's7://10.0.0.5?rack=0&slot=1&db=11' }))).toEqual([]);
    expect(keys(form({ plc: 'sim' }))).toEqual(['plc:plcSim']);
    expect(keys(form({ plc: '10.0.0.5' }))).toEqual(['plc:plcUri']);
    expect(keys(form({ plc: 's7://10.0.0.5?rack=0' }))).toEqual(['plc:plcDb']);
    expect(keys(form({ serial: '/dev/ttyUSB0?baud=115200' }))).toEqual([]);
    expect(keys(form({ serial: '/dev/ttyUSB0' }))).toEqual(['serial:serial']);
    expect(keys(form(), [], true)).toEqual(['track:linesNeedTrack']);
    expect(keys(form({ track: true }), [], true)).toEqual([]);
  });

  it('form to entry: numbers parsed, empty fields dropped, the main model resolved now', () => {
    expect(
      settingFromForm(
        form({ name: ' infeed ', model: SAME_AS_MAIN, conf: '0.4', plc: ' s7://h?db=3 ' }),
        null,
        '/models/main.onnx',
      ),
    ).toEqual({
      name: 'infeed',
      source: 'synthetic:?size=640x480&fps=8',
      model: '/models/main.onnx',
      conf: 0.4,
      track: false,
      plc: 's7://h?db=3',
    });
    expect(settingFromForm(form({ model: SAME_AS_MAIN }), null, null).model).toBe(CLASSIC);
  });

  it('editing keeps the fields the form does not show, and clears the ones emptied', () => {
    const saved = {
      name: 'dock',
      source: 'rtsp://10.0.0.9/s',
      model: CLASSIC,
      conf: 0.3,
      plc: 's7://h?db=4',
      track: true,
      zones: [
        {
          mode: 'include',
          points: [
            [0, 0],
            [10, 0],
            [10, 10],
          ],
        },
      ],
      lines: [{ name: 'gate', xyxy: [0, 5, 10, 5] }],
      referencePoint: 'centre',
    };
    const f = formFromSetting(saved);
    expect(f).toEqual({
      name: 'dock',
      source: 'rtsp://10.0.0.9/s',
      model: CLASSIC,
      conf: '0.3',
      iou: '',
      track: true,
      plc: 's7://h?db=4',
      serial: '',
    });
    expect(settingFromForm({ ...f, conf: '0.55', plc: '' }, saved, null)).toEqual({
      name: 'dock',
      source: 'rtsp://10.0.0.9/s',
      model: CLASSIC,
      conf: 0.55,
      track: true,
      zones: saved.zones,
      lines: saved.lines,
      referencePoint: 'centre',
    });
    // Unchanged form, unchanged entry: the draft is not "pending".
    expect(sameSettings([settingFromForm(f, saved, null)], [saved])).toBe(true);
  });

  it('a saved entry without a model shows as the classic detector', () => {
    expect(formFromSetting({ name: 'a', source: 'synthetic:' }).model).toBe(CLASSIC);
  });

  it('same settings ignores key order and undefined fields, not values', () => {
    expect(sameSettings([{ name: 'a', source: 's:', conf: undefined }], [{ source: 's:', name: 'a' }])).toBe(
      true,
    );
    expect(
      sameSettings([{ name: 'a', source: 's:', conf: 0.3 }], [{ name: 'a', source: 's:', conf: 0.4 }]),
    ).toBe(false);
    expect(sameSettings([], [{ name: 'a', source: 's:' }])).toBe(false);
  });

  it('finds the camera a refusal names', () => {
    expect(refusedIndex('cameras[1] ("b").plc: writes to ...', 2)).toBe(1);
    expect(refusedIndex('cameras[3] ("b").plc', 2)).toBeNull();
    expect(refusedIndex('cameras: must be a list', 2)).toBeNull();
  });
});

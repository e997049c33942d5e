/** The settings file and model sidecars are read from disk: any bytes in them give a value or one error. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readSidecar } from '../../src/main/inference/sidecar';
import { loadSettings } from '../../src/main/storage/settings';

export const SETTINGS_RUNS = 400;
export const SIDECAR_RUNS = 400;

const tmp = mkdtempSync(join(tmpdir(), 'vs-fuzz-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** JSON text that is sometimes broken, sometimes shaped like the real file. */
function fileText(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    shaped.map((v) => JSON.stringify(v)),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
  );
}

const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, Infinity, 0.5));
const settingsLike = fc.record(
  {
    source: fc.oneof(fc.string(), fc.constant('synthetic:'), num),
    modelId: fc.oneof(fc.string(), fc.constant(null)),
    provider: fc.constantFrom('cpu', 'cuda', 'gpu', 3),
    params: fc.record(
      { confThreshold: num, iouThreshold: num, classFilter: fc.oneof(fc.constant(null), fc.array(num)) },
      { requiredKeys: [] },
    ),
    plc: fc.record(
      {
        uri: fc.oneof(fc.constant(null), fc.string()),
        handshake: fc.string(),
        maxObjects: num,
        homographyPxToMm: fc.oneof(fc.constant(null), fc.array(num, { maxLength: 10 })),
      },
      { requiredKeys: [] },
    ),
    recipes: fc.dictionary(fc.string({ maxLength: 3 }), fc.string()),
    ui: fc.record({ locale: fc.constantFrom('en', 'ko', 'fr') }, { requiredKeys: [] }),
    fpsAlarmAfterS: num,
  },
  { requiredKeys: [] },
);
const sidecarLike = fc.record(
  {
    family: fc.constantFrom('yolov5', 'yolov8', 'yolov8-seg', 'yolox', 'e2e', 'detr', 7),
    task: fc.constantFrom('detect', 'segment', 'pose'),
    inputWidth: num,
    inputHeight: num,
    names: fc.array(fc.string(), { maxLength: 5 }),
    licence: fc.string(),
    preprocess: fc.record(
      {
        channelOrder: fc.constantFrom('rgb', 'bgr', 'x'),
        pixelScale: num,
        padCentred: fc.boolean(),
        padValue: num,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

describe('fuzz: files read at start', () => {
  it(`settings.json gives settings or one SettingsError (${SETTINGS_RUNS} cases)`, async () => {
    const path = join(tmp, 'settings.json');
    await fc.assert(
      fc.asyncProperty(fileText(settingsLike), async (text) => {
        writeFileSync(path, text);
        try {
          const s = await loadSettings(path);
          expect(s.params.confThreshold >= 0 && s.params.confThreshold <= 1).toBe(true);
          // null: the demo clip until a camera is chosen.
          expect(s.source === null || typeof s.source === 'string').toBe(true);
        } catch (e) {
          expect((e as Error).name).toBe('SettingsError');
          expect((e as Error).message).toMatch(/^settings /);
        }
      }),
      { numRuns: SETTINGS_RUNS },
    );
  });

  it(`a sidecar gives overrides or one error naming the file (${SIDECAR_RUNS} cases)`, () => {
    const model = join(tmp, 'm.onnx');
    fc.assert(
      fc.property(fileText(sidecarLike), (text) => {
        writeFileSync(join(tmp, 'm.json'), text);
        try {
          const s = readSidecar(model);
          expect(s).not.toBeNull();
          if (s!.inputWidth !== undefined)
            expect(Number.isInteger(s!.inputWidth) && s!.inputWidth >= 32).toBe(true);
        } catch (e) {
          expect((e as Error).name).toBe('Error');
          expect((e as Error).message.startsWith(`${join(tmp, 'm.json')}: `)).toBe(true);
        }
      }),
      { numRuns: SIDECAR_RUNS },
    );
  });
});

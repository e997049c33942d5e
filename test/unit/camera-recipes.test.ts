/**
 * Recipes per camera, the pure parts: a camera entry's `recipe` (an id, kept as given) and the
 * activateRecipe request with its optional camera (the UI's part: camera-recipes-ui.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseCamerasFile } from '../../src/main/core/cameras-file';
import { API_ARGS } from '../../src/shared/api-schemas';

const defaults = { confThreshold: 0.25, iouThreshold: 0.45, resolveModel: (p: string) => `/cfg/${p}` };

describe('a camera entry names its recipe', () => {
  it('keeps the id, null when none', () => {
    const cams = parseCamerasFile(
      {
        model: 'classic',
        cameras: [
          { name: 'a', source: 'synthetic:', recipe: 'bolts-m8' },
          { name: 'b', source: 'synthetic:' },
        ],
      },
      defaults,
    );
    expect(cams.map((c) => [c.name, c.recipe])).toEqual([
      ['a', 'bolts-m8'],
      ['b', null],
    ]);
  });

  it('refuses what cannot be a recipe id, naming the camera', () => {
    expect(() =>
      parseCamerasFile(
        { model: 'classic', cameras: [{ name: 'a', source: 'synthetic:', recipe: 'Bolts M8' }] },
        defaults,
      ),
    ).toThrow('cameras[0] ("a").recipe: a recipe id is 1 to 64 lowercase letters, digits or -');
  });
});

describe('activateRecipe request', () => {
  const parse = (req: unknown) => API_ARGS.activateRecipe.safeParse([req]);

  it('takes a camera name, or none (the main camera)', () => {
    expect(parse({ id: 'job-a' }).data).toEqual([{ id: 'job-a' }]);
    expect(parse({ id: 'job-a', camera: 'infeed.2' }).data).toEqual([{ id: 'job-a', camera: 'infeed.2' }]);
  });

  it('refuses what cannot be a camera name, and unknown fields', () => {
    const bad = parse({ id: 'job-a', camera: 'in feed' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(
      'is a camera name from listCameras (1 to 32 letters, digits, _ . or -)',
    );
    expect(parse({ id: 'job-a', camera: '' }).success).toBe(false);
    expect(parse({ id: 'job-a', cam: 'b' }).success).toBe(false);
  });
});

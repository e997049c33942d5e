/**
 * Recipes per camera in the UI, rendered from props alone: the camera a recipe switch targets,
 * the selector shown only beside additional cameras, and the recipe line of a camera tile.
 */
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import '../../src/renderer/src/i18n';
import {
  activateRequest,
  CameraRecipeLabel,
  CameraRecipeSelector,
  recipeCamera,
} from '../../src/renderer/src/components/CameraRecipes';
import type { CameraInfo } from '../../src/shared/api';

const cam = (name: string, recipe: string | null): CameraInfo => ({
  name,
  source: 'synthetic:',
  model: 'classic',
  state: 'live',
  reason: null,
  frames: 1,
  fps: 1,
  latencyP50Ms: null,
  dropped: 0,
  plc: null,
  recipe,
});

describe('the camera selector of the recipe switch', () => {
  const cameras = [cam('main', null), cam('b', 'Bolts')];

  it('targets the chosen camera while it exists, else the main one; names only another camera', () => {
    expect(recipeCamera(cameras, 'b')?.name).toBe('b');
    expect(recipeCamera(cameras, 'gone')?.name).toBe('main');
    expect(recipeCamera([], 'b')).toBeNull();
    expect(activateRequest('job-a', 'main')).toEqual({ id: 'job-a' });
    expect(activateRequest('job-a', 'b')).toEqual({ id: 'job-a', camera: 'b' });
  });

  it('is shown only beside additional cameras, each with its recipe; a tile says its recipe', () => {
    const onChange = (): void => {};
    expect(
      renderToStaticMarkup(
        h(CameraRecipeSelector, { cameras: [cam('main', null)], value: 'main', onChange }),
      ),
    ).toBe('');
    const html = renderToStaticMarkup(h(CameraRecipeSelector, { cameras, value: 'b', onChange }));
    expect(html).toContain('data-testid="recipe-camera-select"');
    expect(html).toContain('<option value="main">main</option>');
    expect(html).toContain('<option value="b" selected="">b — Bolts</option>');
    expect(renderToStaticMarkup(h(CameraRecipeLabel, { camera: cam('b', 'Bolts') }))).toBe(
      '<div class="small muted" data-testid="camera-recipe-b">Recipe: Bolts</div>',
    );
    expect(renderToStaticMarkup(h(CameraRecipeLabel, { camera: cam('main', null) }))).toBe('');
  });
});

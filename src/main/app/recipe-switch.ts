/**
 * Switching recipes on a running station: the model (through the hot swap: the old one serves
 * until the new one is ready, a failure keeps it), thresholds and per-class limits, then
 * `recipeActive` to the PLC. Used for the PLC's `recipeRequest` (and by the UI's "switch to").
 *
 * Not switched live yet: the calibration and zones/lines of a recipe (the PLC and serial sinks take
 * their homography at start); the station applies those on its next start.
 */
import type { Recipe } from '../core/recipe';
import type { ModelInfo } from '../../shared/detection';
import type { ClassLimits } from '../core/class-limits';
import type { DecodeParams } from '../core/decoders/types';
import type { RecipeStore } from '../storage/recipes';

/** What a switch touches (the VisionRuntime has all of it). */
export interface RecipeTarget {
  readonly engine: { readonly model: ModelInfo | null };
  loadModel(model: string): Promise<ModelInfo>;
  setParams(p: Partial<DecodeParams>): void;
  setClassLimits(l: ClassLimits | null): void;
  readonly outputs: { plc: { setRecipeActive(slot: number): void } | null } | null;
}

export interface SwitchOptions {
  log: (line: string) => void;
}

/** Limits that change nothing are no limits (saves a pass per frame). */
export function effectiveLimits(l: ClassLimits): ClassLimits | null {
  return Object.keys(l.classes).length === 0 && l.othersEnabled ? null : l;
}

export async function applyRecipe(target: RecipeTarget, recipe: Recipe): Promise<void> {
  const current = target.engine.model;
  const wanted = recipe.modelId;
  const same =
    wanted === null || (wanted === 'classic' ? current?.family === 'classic' : current?.path === wanted);
  // Load first: if the model fails, nothing else of the recipe is applied either.
  if (!same) await target.loadModel(wanted);
  target.setParams({
    confThreshold: recipe.params.confThreshold,
    iouThreshold: recipe.params.iouThreshold,
    maxDet: recipe.params.maxDet,
  });
  target.setClassLimits(effectiveLimits(recipe.classLimits));
  if (recipe.plc.slot !== null) target.outputs?.plc?.setRecipeActive(recipe.plc.slot);
}

/**
 * A `recipeRequest` listener backed by the recipe store. Requests are handled one at a time; while
 * one loads, only the newest waiting request is kept (the PLC's latest wish wins, nothing queues).
 */
export function recipeRequestHandler(
  /** Where the recipe goes, or how it is applied (a camera that does more than applyRecipe). */
  target: RecipeTarget | ((recipe: Recipe) => Promise<void>),
  store: Pick<RecipeStore, 'bySlot'>,
  opts: SwitchOptions,
): { onRequest: (slot: number) => void; idle: () => Promise<void> } {
  let waiting: number | null = null;
  let running: Promise<void> | null = null;
  const runOne = async (slot: number): Promise<void> => {
    let recipe: Recipe | null;
    try {
      recipe = await store.bySlot(slot);
    } catch (e) {
      return opts.log(`recipe slot ${slot}: cannot read the recipes: ${(e as Error).message}`);
    }
    if (!recipe) return opts.log(`the PLC asked for recipe slot ${slot}, but no recipe has that slot`);
    try {
      await (typeof target === 'function' ? target(recipe) : applyRecipe(target, recipe));
      opts.log(`recipe slot ${slot}: now running recipe '${recipe.name}'`);
    } catch (e) {
      opts.log(`recipe slot ${slot}: cannot switch to '${recipe.name}': ${(e as Error).message}`);
    }
  };
  const drain = async (): Promise<void> => {
    while (waiting !== null) {
      const slot = waiting;
      waiting = null;
      await runOne(slot);
    }
    running = null;
  };
  return {
    onRequest(slot) {
      waiting = slot;
      running ??= drain();
    },
    idle: async () => {
      while (running) await running;
    },
  };
}

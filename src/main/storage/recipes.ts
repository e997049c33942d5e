/**
 * The recipe store: one JSON file per recipe in `<dataDir>/recipes/<id>.json`, validated before
 * every save, written atomically, read with migration of older versions. A damaged or
 * future-version file is never overwritten or dropped silently: list() reports it with the reason.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseRecipeText,
  RECIPE_VERSION,
  RecipeIdSchema,
  RecipeNameSchema,
  RecipeSchema,
  RecipeSlotSchema,
  slugOf,
  type Recipe,
  type RecipeInput,
} from '../core/recipe';
import { writeFileAtomic } from './atomic-file';

export type RecipeErrorReason =
  'notFound' | 'invalid' | 'damaged' | 'futureVersion' | 'nameTaken' | 'tooMany' | 'unreadable';

export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(
    readonly reason: RecipeErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface RecipeSummary {
  id: string;
  name: string;
  approved: boolean;
  modelId: string | null;
  slot: number | null;
  updatedAtMs: number;
}

export interface RecipeFileTrouble {
  file: string;
  reason: 'damaged' | 'futureVersion' | 'invalid' | 'unreadable';
  message: string;
}

/** Bounds the folder scan and the UI list. */
export const MAX_RECIPES = 500;
/** A recipe with 200 calibration points and 64 zones of 256 points is well under this. */
export const MAX_RECIPE_FILE_BYTES = 2 * 1024 * 1024;

/** Fields a caller sets; the store owns version, id and times. */
export type RecipeDraft = Omit<RecipeInput, 'version' | 'id' | 'createdAtMs' | 'updatedAtMs'>;

export interface RecipeStoreOptions {
  nowMs?: () => number;
  /** Random suffix for ids (injected in tests for exact ids). */
  randomSuffix?: () => string;
}

const summaryOf = (r: Recipe): RecipeSummary => ({
  id: r.id,
  name: r.name,
  approved: r.approved,
  modelId: r.modelId,
  slot: r.plc.slot,
  updatedAtMs: r.updatedAtMs,
});

export class RecipeStore {
  private readonly nowMs: () => number;
  private readonly randomSuffix: () => string;
  private chain: Promise<unknown> = Promise.resolve();

  /**
   * Changes run one at a time, so two requests cannot both take a free name, id or slot. Public
   * methods take the turn; the *Unlocked helpers assume it is held.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  constructor(
    readonly dir: string,
    opts: RecipeStoreOptions = {},
  ) {
    this.nowMs = opts.nowMs ?? Date.now;
    this.randomSuffix = opts.randomSuffix ?? (() => randomBytes(3).toString('hex'));
  }

  private pathOf(id: string): string {
    // The id schema allows no '/', '.' or '\\': the path cannot leave the folder.
    return join(this.dir, `${RecipeIdSchema.parse(id)}.json`);
  }

  /** Every readable recipe, by name; files that could not be read, with the reason. */
  async list(): Promise<{ recipes: RecipeSummary[]; problems: RecipeFileTrouble[] }> {
    const { recipes, problems } = await this.readAll();
    return {
      recipes: recipes
        .map(summaryOf)
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
      problems,
    };
  }

  private async readAll(): Promise<{ recipes: Recipe[]; problems: RecipeFileTrouble[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { recipes: [], problems: [] };
      throw new RecipeError(
        'unreadable',
        `cannot read the recipe folder ${this.dir}: ${(e as Error).message}`,
      );
    }
    const recipes: Recipe[] = [];
    const problems: RecipeFileTrouble[] = [];
    for (const file of names.sort().slice(0, MAX_RECIPES)) {
      const id = file.slice(0, -'.json'.length);
      try {
        recipes.push(await this.get(id));
      } catch (e) {
        const err = e as RecipeError;
        problems.push({
          file,
          reason:
            err.reason === 'damaged' || err.reason === 'futureVersion' || err.reason === 'invalid'
              ? err.reason
              : 'unreadable',
          message: err.message,
        });
      }
    }
    return { recipes, problems };
  }

  async get(id: string): Promise<Recipe> {
    if (!RecipeIdSchema.safeParse(id).success) throw new RecipeError('notFound', `no recipe '${id}'`);
    const path = this.pathOf(id);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new RecipeError('notFound', `no recipe '${id}'`);
      throw new RecipeError('unreadable', `cannot read recipe ${path}: ${(e as Error).message}`);
    }
    if (text.length > MAX_RECIPE_FILE_BYTES)
      throw new RecipeError('damaged', `recipe ${path}: larger than ${MAX_RECIPE_FILE_BYTES} bytes`);
    const parsed = parseRecipeText(text, id, this.nowMs());
    if (!parsed.ok) throw new RecipeError(parsed.reason, `recipe ${path}: ${parsed.message}`);
    if (parsed.recipe.id !== id)
      throw new RecipeError(
        'invalid',
        `recipe ${path}: its id '${parsed.recipe.id}' does not match the file name`,
      );
    return parsed.recipe;
  }

  /** Validates, then writes atomically. The caller's `updatedAtMs` is replaced. */
  save(recipe: Recipe): Promise<Recipe> {
    return this.serial(() => this.saveUnlocked(recipe));
  }

  private async saveUnlocked(recipe: Recipe): Promise<Recipe> {
    const r = RecipeSchema.safeParse({ ...recipe, updatedAtMs: this.nowMs() });
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new RecipeError('invalid', `recipe not saved: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    const { recipes } = await this.readAll();
    const clash = recipes.find((o) => o.id !== r.data.id && o.name === r.data.name);
    if (clash) throw new RecipeError('nameTaken', `a recipe named '${r.data.name}' already exists`);
    if (!recipes.some((o) => o.id === r.data.id) && recipes.length >= MAX_RECIPES)
      throw new RecipeError('tooMany', `at most ${MAX_RECIPES} recipes; delete some first`);
    await writeFileAtomic(this.pathOf(r.data.id), JSON.stringify(r.data, null, 2) + '\n');
    return r.data;
  }

  private async freeId(name: string): Promise<string> {
    const base = slugOf(name);
    const taken = new Set((await this.readAll()).recipes.map((r) => r.id));
    if (!taken.has(base)) return base;
    for (let i = 0; i < 20; i++) {
      const id = `${base}-${this.randomSuffix()}`.slice(0, 64);
      if (!taken.has(id)) return id;
    }
    throw new RecipeError('tooMany', `cannot find a free id for '${name}'`);
  }

  create(draft: RecipeDraft): Promise<Recipe> {
    return this.serial(() => this.createUnlocked(draft));
  }

  private async createUnlocked(draft: RecipeDraft): Promise<Recipe> {
    const now = this.nowMs();
    const name = RecipeNameSchema.safeParse(draft.name);
    if (!name.success)
      throw new RecipeError('invalid', `recipe not saved: name: ${name.error.issues[0]!.message}`);
    const id = await this.freeId(name.data);
    const r = RecipeSchema.safeParse({
      ...draft,
      version: RECIPE_VERSION,
      id,
      createdAtMs: now,
      updatedAtMs: now,
    });
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new RecipeError('invalid', `recipe not saved: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    return this.saveUnlocked(r.data);
  }

  rename(id: string, name: string): Promise<Recipe> {
    return this.serial(async () => this.saveUnlocked({ ...(await this.get(id)), name }));
  }

  duplicate(id: string, name?: string): Promise<Recipe> {
    return this.serial(() => this.duplicateUnlocked(id, name));
  }

  private async duplicateUnlocked(id: string, name?: string): Promise<Recipe> {
    const src = await this.get(id);
    const names = new Set((await this.readAll()).recipes.map((r) => r.name));
    let newName = name ?? `${src.name} (copy)`;
    for (let i = 2; name === undefined && names.has(newName); i++) newName = `${src.name} (copy ${i})`;
    // A copy answers no PLC slot and needs approving again: two recipes on one slot would be ambiguous.
    const { version: _v, id: _id, createdAtMs: _c, updatedAtMs: _u, ...rest } = src;
    return this.createUnlocked({ ...rest, name: newName, approved: false, plc: { slot: null } });
  }

  delete(id: string): Promise<void> {
    return this.serial(() => this.deleteUnlocked(id));
  }

  private async deleteUnlocked(id: string): Promise<void> {
    await this.get(id).catch((e: RecipeError) => {
      // A damaged file may be deleted; only a missing one is an error.
      if (e.reason === 'notFound') throw e;
    });
    await rm(this.pathOf(id), { force: true });
  }

  /** The file content to export (same format as stored). */
  async exportText(id: string): Promise<string> {
    return JSON.stringify(await this.get(id), null, 2) + '\n';
  }

  async exportToFile(id: string, path: string): Promise<void> {
    await writeFileAtomic(path, await this.exportText(id));
  }

  /**
   * Adds a recipe from an exported file: migrated if older, refused with the reason if damaged,
   * invalid or from a newer version. It keeps its id and name when free; a taken name gets
   * " (imported)"; its PLC slot is kept only when no other recipe has it.
   */
  importText(text: string, origin = 'the file'): Promise<Recipe> {
    return this.serial(() => this.importUnlocked(text, origin));
  }

  private async importUnlocked(text: string, origin: string): Promise<Recipe> {
    if (text.length > MAX_RECIPE_FILE_BYTES)
      throw new RecipeError(
        'invalid',
        `${origin} is larger than ${MAX_RECIPE_FILE_BYTES} bytes; not a recipe`,
      );
    const parsed = parseRecipeText(text, 'imported', this.nowMs());
    if (!parsed.ok) throw new RecipeError(parsed.reason, `cannot import ${origin}: ${parsed.message}`);
    const incoming = parsed.recipe;
    const { recipes } = await this.readAll();
    let name = incoming.name;
    for (let i = 2; recipes.some((r) => r.name === name); i++)
      name = i === 2 ? `${incoming.name} (imported)` : `${incoming.name} (imported ${i})`;
    const idTaken = recipes.some((r) => r.id === incoming.id) || incoming.id === 'imported';
    const slotTaken = incoming.plc.slot !== null && recipes.some((r) => r.plc.slot === incoming.plc.slot);
    const id = idTaken ? await this.freeId(name) : incoming.id;
    return this.saveUnlocked({ ...incoming, id, name, plc: { slot: slotTaken ? null : incoming.plc.slot } });
  }

  async importFromFile(path: string): Promise<Recipe> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new RecipeError('unreadable', `cannot read ${path}: ${(e as Error).message}`);
    }
    return this.importText(text, path);
  }

  /**
   * Gives a recipe a PLC slot (null frees it). A slot belongs to one recipe: whichever had it
   * loses it first, so a crash between the two writes leaves the slot free, never doubled.
   */
  assignSlot(id: string, slot: number | null): Promise<Recipe> {
    return this.serial(() => this.assignSlotUnlocked(id, slot));
  }

  private async assignSlotUnlocked(id: string, slot: number | null): Promise<Recipe> {
    if (slot !== null && !RecipeSlotSchema.safeParse(slot).success)
      throw new RecipeError('invalid', `a PLC recipe slot is a whole number from 1 to 32767, got ${slot}`);
    const target = await this.get(id);
    if (slot !== null)
      for (const other of (await this.readAll()).recipes)
        if (other.id !== id && other.plc.slot === slot)
          await this.saveUnlocked({ ...other, plc: { slot: null } });
    return this.saveUnlocked({ ...target, plc: { slot } });
  }

  /** The recipe the PLC means by `recipeRequest = slot`, or null. */
  async bySlot(slot: number): Promise<Recipe | null> {
    return (await this.readAll()).recipes.find((r) => r.plc.slot === slot) ?? null;
  }
}

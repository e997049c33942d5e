/**
 * The model library: the project's models/ folder and one in the user's data folder. Each entry is
 * described by loading it once (family, task, input size, classes, licence), cached by file size
 * and modification time. Imports are validated the same way before they are copied in.
 */
import { EventEmitter } from 'node:events';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { LibraryEntry, LibraryLocation, LibraryProgress } from '../../shared/api';
import type { ModelInfo } from '../../shared/detection';
import { modelSpecFor, type ModelSpec } from '../inference/model';
import { sidecarPathFor } from '../inference/sidecar';
import { writeFileAtomic } from '../storage/atomic-file';

export type { LibraryEntry, LibraryLocation };

export interface ModelLibraryOptions {
  projectDir: string;
  userDir: string;
  /** The demo bundle's folder (resources/demo), listed after the project's models. */
  demoDir?: string | null;
  /** More folders listed like the project's (e.g. a shared models folder). */
  extraDirs?: string[];
  /** Loads a model once to describe it (InferenceEngine.inspect). */
  inspect: (spec: ModelSpec) => Promise<ModelInfo>;
  /**
   * Where descriptions are remembered between runs (keyed by path, size and modification time),
   * so listing a folder of models does not load every one of them again at each start.
   */
  cachePath?: string;
}

type CacheEntry = { key: string; info: ModelInfo | null; error: string | null };

/**
 * Why a model cannot run, for people: layouts the app does not recognise get a pointer to the
 * sidecar, which is how models without metadata (TensorFlow-born, custom heads) are described.
 */
export function refusalMessage(message: string): string {
  if (!message.startsWith('cannot decode this model')) return message;
  return `${message}. This app runs YOLOv5/v8/11 (detect, segment, obb, pose), YOLOX, end-to-end, DETR-family, PaddleDetection NMS and semantic segmentation models; a model without metadata can be described in a sidecar NAME.json (version 2, see README)`;
}

/** The built-in classic detector: always there, nothing to describe. */
const CLASSIC_ENTRY: Readonly<LibraryEntry> = Object.freeze({
  id: 'classic',
  name: 'classic',
  location: 'builtin',
  path: null,
  sizeBytes: 0,
  info: null,
  task: 'segment',
  error: null,
});

const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024;

/** Pause between two background descriptions, so the serving model gets the CPU back in between. */
const DESCRIBE_PAUSE_MS = 250;

export class ModelLibrary extends EventEmitter<{ progress: [LibraryProgress] }> {
  private readonly cache = new Map<string, CacheEntry>();
  private background: Promise<void> | null = null;
  private stopped = false;
  private progressNow: LibraryProgress = { described: 0, total: 0, running: false };
  private cacheLoaded = false;
  private cacheDirty = false;

  constructor(private readonly opts: ModelLibraryOptions) {
    super();
  }

  /** How far background describing has got. */
  progress(): LibraryProgress {
    return this.progressNow;
  }

  private async loadCache(): Promise<void> {
    if (this.cacheLoaded || !this.opts.cachePath) return;
    this.cacheLoaded = true;
    try {
      const raw = JSON.parse(await readFile(this.opts.cachePath, 'utf8')) as Record<string, CacheEntry>;
      for (const [path, entry] of Object.entries(raw)) {
        if (entry && typeof entry.key === 'string' && (entry.info === null || typeof entry.info === 'object'))
          this.cache.set(path, entry);
      }
    } catch {
      // No cache yet, or an unreadable one: describe the models again.
    }
  }

  private async saveCache(): Promise<void> {
    if (!this.opts.cachePath || !this.cacheDirty) return;
    this.cacheDirty = false;
    await writeFileAtomic(this.opts.cachePath, JSON.stringify(Object.fromEntries(this.cache))).catch(
      () => {},
    );
  }

  get userDir(): string {
    return this.opts.userDir;
  }

  /** Size and modification times of the model and its sidecar: a change to either re-describes it. */
  private async cacheKey(path: string, sizeBytes: number, mtimeMs: number): Promise<string> {
    const side = await stat(sidecarPathFor(path)).catch(() => null);
    return `${sizeBytes}:${mtimeMs}:${side ? side.mtimeMs : '-'}`;
  }

  private async describe(
    path: string,
    sizeBytes: number,
    mtimeMs: number,
  ): Promise<{ info: ModelInfo | null; error: string | null }> {
    const key = await this.cacheKey(path, sizeBytes, mtimeMs);
    const hit = this.cache.get(path);
    if (hit && hit.key === key) return hit;
    let entry: { key: string; info: ModelInfo | null; error: string | null };
    try {
      entry = {
        key,
        // One thread: describing a model must not take the cores the running one needs.
        info: await this.opts.inspect(modelSpecFor(path, 'cpu', 1)),
        error: null,
      };
    } catch (e) {
      entry = { key, info: null, error: refusalMessage((e as Error).message) };
    }
    this.cache.set(path, entry);
    this.cacheDirty = true;
    return entry;
  }

  /** `describe` false: models not described yet come back pending (info and error null). */
  private async scan(
    dir: string,
    location: LibraryLocation,
    describe = true,
    pending: { path: string; sizeBytes: number; mtimeMs: number }[] = [],
  ): Promise<LibraryEntry[]> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.onnx')).sort();
    } catch {
      return [];
    }
    const out: LibraryEntry[] = [];
    for (const n of names) {
      const path = resolve(dir, n);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) continue;
      let info: ModelInfo | null = null;
      let error: string | null = null;
      let isPending = false;
      if (describe) ({ info, error } = await this.describe(path, st.size, st.mtimeMs));
      else {
        const hit = this.cache.get(path);
        if (hit && hit.key === (await this.cacheKey(path, st.size, st.mtimeMs))) ({ info, error } = hit);
        else {
          isPending = true;
          pending.push({ path, sizeBytes: st.size, mtimeMs: st.mtimeMs });
        }
      }
      out.push({
        ...(isPending ? { pending: true } : {}),
        id: path,
        name: n.replace(/\.onnx$/i, ''),
        location,
        path,
        sizeBytes: st.size,
        info,
        task: info?.task ?? null,
        error,
      });
    }
    return out;
  }

  /** Built-in classic detector first, then project models, the demo model, then the user's. */
  async list(): Promise<LibraryEntry[]> {
    await this.loadCache();
    const classic: LibraryEntry = { ...CLASSIC_ENTRY };
    const project = await this.scan(this.opts.projectDir, 'project');
    for (const dir of this.opts.extraDirs ?? []) project.push(...(await this.scan(dir, 'project')));
    const demo = this.opts.demoDir ? await this.scan(this.opts.demoDir, 'demo') : [];
    const all = [classic, ...project, ...demo, ...(await this.scan(this.opts.userDir, 'user'))];
    await this.saveCache();
    return all;
  }

  /**
   * What is known now, at once: described models from the cache, the others pending. The pending
   * ones are then described in the background, one at a time on one thread with a pause between
   * them, emitting `progress` after each; list again to get them.
   */
  async listQuick(): Promise<LibraryEntry[]> {
    await this.loadCache();
    const pending: { path: string; sizeBytes: number; mtimeMs: number }[] = [];
    const classic: LibraryEntry = { ...CLASSIC_ENTRY };
    const project = await this.scan(this.opts.projectDir, 'project', false, pending);
    for (const dir of this.opts.extraDirs ?? [])
      project.push(...(await this.scan(dir, 'project', false, pending)));
    const demo = this.opts.demoDir ? await this.scan(this.opts.demoDir, 'demo', false, pending) : [];
    const all = [
      classic,
      ...project,
      ...demo,
      ...(await this.scan(this.opts.userDir, 'user', false, pending)),
    ];
    if (pending.length > 0 && this.background === null) this.background = this.describeInBackground(pending);
    return all;
  }

  private async describeInBackground(
    pending: { path: string; sizeBytes: number; mtimeMs: number }[],
  ): Promise<void> {
    const report = (described: number, running: boolean) => {
      this.progressNow = { described, total: pending.length, running };
      this.emit('progress', this.progressNow);
    };
    try {
      report(0, true);
      for (let i = 0; i < pending.length; i++) {
        if (this.stopped) return;
        const p = pending[i];
        await this.describe(p.path, p.sizeBytes, p.mtimeMs);
        report(i + 1, i + 1 < pending.length);
        if (i + 1 < pending.length) await new Promise((r) => setTimeout(r, DESCRIBE_PAUSE_MS));
      }
      // A description cut short by stop() may have failed for that reason: not worth keeping.
      if (!this.stopped) await this.saveCache();
    } finally {
      this.background = null;
      if (this.progressNow.running) report(this.progressNow.described, false);
    }
  }

  /** No more background descriptions (the station is closing); waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.background;
  }

  /** Resolves when background describing (if any) has finished. */
  async idle(): Promise<void> {
    await this.background;
  }

  /**
   * Copy a model into the user folder after loading it once. A file that does not load is refused
   * with the reason and nothing is added; the copy goes to a temporary name first, then is renamed.
   */
  async import(srcPath: string): Promise<LibraryEntry> {
    const st = await stat(srcPath).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`cannot import ${srcPath}: ${e.code ?? e.message}`, { cause: e });
    });
    if (!st.isFile()) throw new Error(`cannot import ${srcPath}: not a file`);
    if (!srcPath.toLowerCase().endsWith('.onnx'))
      throw new Error(`cannot import ${srcPath}: only .onnx files can be imported`);
    if (st.size > MAX_MODEL_BYTES)
      throw new Error(`cannot import ${srcPath}: ${st.size} bytes is larger than the 2 GiB limit`);
    const name = basename(srcPath);
    const dest = join(this.opts.userDir, name);
    if (await stat(dest).catch(() => null))
      throw new Error(`cannot import ${srcPath}: a model named ${name} is already in the library`);
    let info: ModelInfo;
    try {
      info = await this.opts.inspect({ kind: 'onnx', path: srcPath, providers: ['cpu'], intraOpThreads: 1 });
    } catch (e) {
      throw new Error(`cannot import ${srcPath}: ${refusalMessage((e as Error).message)}`, { cause: e });
    }
    await mkdir(this.opts.userDir, { recursive: true });
    const tmp = join(this.opts.userDir, `.${name}.${process.pid}.importing`);
    // The sidecar (if any) goes first, so the model never appears without its description.
    const sidecar = sidecarPathFor(srcPath);
    const sidecarTmp = `${tmp}.json`;
    try {
      if (await stat(sidecar).catch(() => null)) {
        await copyFile(sidecar, sidecarTmp);
        await rename(sidecarTmp, sidecarPathFor(dest));
      }
      await copyFile(srcPath, tmp);
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      await rm(sidecarTmp, { force: true });
      throw new Error(`cannot import ${srcPath}: ${(e as Error).message}`, { cause: e });
    }
    const destStat = await stat(dest);
    info = { ...info, path: dest };
    this.cache.set(dest, {
      key: await this.cacheKey(dest, destStat.size, destStat.mtimeMs),
      info,
      error: null,
    });
    this.cacheDirty = true;
    return {
      id: dest,
      name: name.replace(/\.onnx$/i, ''),
      location: 'user',
      path: dest,
      sizeBytes: destStat.size,
      info,
      task: info.task,
      error: null,
    };
  }
}

/**
 * The station's settings file: read once at start (a damaged file never keeps the station down:
 * its invalid sections, or all of it when it cannot be read as settings, go back to defaults, the
 * file is kept aside, and the reason returned for an alarm), then written atomically
 * after each change, one write at a time, the newest last.
 */
import { copyFile, rename } from 'node:fs/promises';
import {
  loadSettings,
  saveSettings,
  SettingsError,
  SettingsSchema,
  type Settings,
} from '../storage/settings';

export interface LoadedSettings {
  settings: Settings;
  /** Why the file could not be used (it was moved aside), or null. */
  problem: string | null;
}

export class SettingsStore {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<LoadedSettings> {
    try {
      return { settings: await loadSettings(this.path), problem: null };
    } catch (e) {
      const aside = `${this.path}.invalid-${this.now()}`;
      const recovered = e instanceof SettingsError ? e.recovered : null;
      if (recovered) {
        // The file as it was stays beside the repaired one, which is written at once: a crash
        // before the next change must not bring the bad section (or defaults for all) back.
        const kept = await copyFile(this.path, aside).then(
          () => true,
          () => false,
        );
        this.persist(recovered.settings);
        await this.flush();
        const sections = recovered.reset.join(', ');
        return {
          settings: recovered.settings,
          problem: `${(e as Error).message}; ${sections} reset to defaults, the other settings kept${kept ? `; the file as it was is kept as ${aside}` : ''}`,
        };
      }
      await rename(this.path, aside).catch(() => {});
      return {
        settings: SettingsSchema.parse({}),
        problem: `${(e as Error).message}; started on defaults, the file was kept as ${aside}`,
      };
    }
  }

  /** Saves a snapshot of `settings` after the writes already queued. */
  persist(settings: Settings): void {
    const snapshot = structuredClone(settings);
    this.chain = this.chain
      .then(() => saveSettings(this.path, snapshot))
      .catch((e: unknown) => this.log(`cannot save settings: ${(e as Error).message}`));
  }

  /** Resolves when every queued write has finished. */
  flush(): Promise<void> {
    return this.chain;
  }
}

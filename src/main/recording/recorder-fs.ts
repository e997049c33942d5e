/**
 * The recorder's own file operations (folders, segment sizes, deleting old segments), behind a
 * small interface so tests can make them fail the way a broken disk does.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';

export interface RecorderFs {
  mkdirp(path: string): void;
  /** Size of a file in bytes; null when it does not exist. */
  sizeBytes(path: string): number | null;
  remove(path: string): void;
}

export const nodeRecorderFs: RecorderFs = {
  mkdirp: (path) => void mkdirSync(path, { recursive: true }),
  sizeBytes: (path) => {
    try {
      return statSync(path).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
  remove: (path) => rmSync(path, { force: true }),
};

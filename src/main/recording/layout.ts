/** Where things are in a recording folder. */
import { join } from 'node:path';

export const INDEX_FILE = 'index.sqlite';
export const SEGMENTS_DIR = 'segments';

export const indexPath = (dir: string): string => join(dir, INDEX_FILE);
export const segmentsPath = (dir: string): string => join(dir, SEGMENTS_DIR);

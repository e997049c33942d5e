/** Where the commissioning data lives in the station's data folder (one place for app and CLI). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The CLI's default data folder (the app uses Electron's userData folder). */
export const DEFAULT_CLI_DATA_DIR = join(homedir(), '.vision-station');

export function commissioningPaths(dataDir: string): {
  recipesDir: string;
  usersFile: string;
  auditLog: string;
} {
  return {
    recipesDir: join(dataDir, 'recipes'),
    usersFile: join(dataDir, 'users.json'),
    auditLog: join(dataDir, 'audit.log'),
  };
}

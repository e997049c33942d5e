import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, expect, _electron as electron } from '@playwright/test';
import { API_METHODS } from '../../src/shared/api';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Where the Electron binary is, without triggering electron's download-on-first-use (which needs
 * the network). Returns null with the reason when it is not installed.
 */
function electronBinary(): { path: string | null; reason: string } {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'Electron binary not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npx install-electron` where the network allows',
    };
  }
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe)
    ? { path: exe, reason: '' }
    : { path: null, reason: `Electron binary missing at ${exe}` };
}

test('the Electron window opens with the title and talks over IPC', async () => {
  const bin = electronBinary();
  test.skip(bin.path === null, bin.reason);
  const app = await electron.launch({ executablePath: bin.path!, args: [ROOT], cwd: ROOT });
  try {
    const win = await app.firstWindow();
    await expect(win).toHaveTitle('Vision Station');
    await expect(win.getByTestId('backend')).toContainText('electron-ipc');
    // The page sees the typed API and nothing of Node.
    const globals = await win.evaluate(() => ({
      require: typeof (globalThis as unknown as { require?: unknown }).require,
      process: typeof (globalThis as unknown as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as { visionStation: object }).visionStation).sort(),
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      api: [...API_METHODS, 'subscribe'].sort(),
    });
    await win.screenshot({ path: 'test-results/electron-window.png' });
  } finally {
    await app.close();
  }
});

import { defineConfig } from '@playwright/test';

// UI tests: Debian's Chromium against the web mode (`serve`), and Electron through `_electron`
// where its binary exists. Screenshots go to test-results/ for people to look at.
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  timeout: 60_000,
  // Deadlines for events, not waits: on a busy 2-core machine a frame or a model description can
  // take well over the default 5 s to arrive; a passing test does not wait any longer for it.
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
  },
});

import { test, expect } from '@playwright/test';
import { freePort, openStation, screenshotPath, startServe, waitForNewFrame, type Served } from './ui-steps';

test.use({ viewport: { width: 1600, height: 900 } });

test('when the station goes away the page says so, and it reconnects by itself when it is back', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const port = await freePort();
  // A configured token: a restarted station with a generated one would (rightly) refuse the page.
  const opts = {
    source: 'synthetic:?size=1280x720&fps=15',
    model: 'classic',
    port,
    token: 'reconnect-test-token-0123456789',
  };
  let served: Served | null = await startServe(opts);
  try {
    await openStation(page, served.url);
    await waitForNewFrame(page, -1);
    await expect(page.getByTestId('status-connection')).toHaveCount(0);

    await served.close();
    served = null;
    await expect(page.getByTestId('status-connection')).toHaveAttribute(
      'data-state',
      /reconnecting|connecting/,
    );
    await expect(page.getByTestId('status-connection')).toHaveAttribute('data-level', /bad|warn/);
    await expect(page.getByTestId('live-disconnected')).toBeVisible();
    // The last known states are no longer the truth: greyed, not green.
    await expect(page.getByTestId('status-source')).toHaveAttribute('data-level', 'off');
    await page.screenshot({ path: screenshotPath('ui-disconnected.png') });

    served = await startServe(opts);
    // Backoff retries find the new station; a fresh snapshot restarts the events and the frames.
    await expect(page.getByTestId('status-connection')).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId('live-disconnected')).toHaveCount(0);
    // The new station counts frames from the start again: count what the canvas draws instead.
    const drawn = async () => Number(await page.getByTestId('live-canvas').getAttribute('data-drawn'));
    const before = await drawn();
    await expect.poll(drawn, { message: 'frames flow again', timeout: 10_000 }).toBeGreaterThan(before + 5);
    await expect(page.getByTestId('status-source')).toHaveAttribute('data-state', 'live');
  } finally {
    await served?.close();
  }
});

/**
 * A network camera on loopback: ffmpeg serves a live MPEG-TS stream (over TCP, and over HTTP),
 * the capture source reads it, the server is killed and started again, and the source recovers
 * by itself (reconnecting → live) with frame ids that keep increasing.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/main/capture/create-source';
import { waitForState } from '../../src/main/capture/source-base';
import type { FrameSource, SourceOptions } from '../../src/main/capture/types';
import { FFMPEG, freePort, recordStates, startProcess, stopProcess, waitForFrame } from './capture-helpers';

const OPTIONS: SourceOptions = {
  backoff: { initialDelayMs: 100, maxDelayMs: 400 },
  networkTimeoutMs: 3000,
  killTimeoutMs: 1000,
};

const servers: ChildProcess[] = [];
const sources: FrameSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((p) => stopProcess(p)));
});

/** A live test-pattern camera; MPEG-2 with a short GOP so a new client gets a picture quickly. */
function startCamera(outputArgs: string[]): ChildProcess {
  const p = startProcess(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25',
    '-c:v',
    'mpeg2video',
    '-g',
    '5',
    '-f',
    'mpegts',
    ...outputArgs,
  ]);
  servers.push(p);
  return p;
}

async function expectRecovery(uri: string, serve: () => ChildProcess): Promise<void> {
  const server = serve();
  const source = createSource(uri, OPTIONS);
  sources.push(source);
  const states = recordStates(source);
  await source.start();
  // The client may knock before the server listens; it then retries by itself.
  await waitForState(source, (c) => c.state === 'live', 15_000);
  const before = await waitForFrame(
    source,
    (f) => f.widthPx === 320 && f.heightPx === 240 && f.frameId >= 5,
    10_000,
  );

  await stopProcess(server);
  const lost = await waitForState(source, (c) => c.state === 'reconnecting', 10_000);
  expect(lost.reason).toMatch(/stream ended|ffmpeg exited|no frame/);
  // Let at least one reconnect attempt fail against the dead server, proving it keeps retrying.
  await waitForState(source, (c) => c.state === 'reconnecting' && (c.attempt ?? 0) >= 2, 10_000);

  serve();
  await waitForState(source, (c) => c.state === 'live', 15_000);
  const after = await waitForFrame(source, (f) => f.frameId > before.frameId + 5, 10_000);
  expect(after.captureTimeMs).toBeGreaterThan(before.captureTimeMs);
  const seq = states.map((s) => s.state);
  expect(seq[seq.length - 1]).toBe('live');
  expect(seq).toContain('reconnecting');
  expect(seq).not.toContain('error');
}

describe('network camera on loopback', () => {
  it('reads MPEG-TS over TCP and recovers after the camera restarts', async () => {
    const port = await freePort();
    await expectRecovery(`tcp://127.0.0.1:${port}`, () => startCamera([`tcp://127.0.0.1:${port}?listen=1`]));
  });

  it('reads MPEG-TS over HTTP and recovers after the camera restarts', async () => {
    const port = await freePort();
    await expectRecovery(`http://127.0.0.1:${port}/live.ts`, () =>
      startCamera(['-listen', '1', `http://127.0.0.1:${port}/live.ts`]),
    );
  });
});

/**
 * Decoder-side scaling (`fitInside`) and waiting for the consumer (`whenBuffersBusy: 'wait'`),
 * against real ffmpeg on generated clips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from '../../src/main/capture/create-source';
import { buildFfmpegArgs, FfmpegStderr } from '../../src/main/capture/ffmpeg-source';
import { waitForState } from '../../src/main/capture/source-base';
import type { Frame, FrameSource } from '../../src/main/capture/types';
import { makeClip } from './capture-helpers';

let dir = '';
let clip: string;
const sources: FrameSource[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vs-scale-'));
  clip = await makeClip(dir, 'wide.mp4', 30, '640x360');
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fitInside', () => {
  it('builds a shrink-only, aspect-keeping scale filter', () => {
    const args = buildFfmpegArgs(
      { kind: 'file', path: 'x.mp4', loop: false, fps: 'max' },
      {
        fitInside: { widthPx: 320, heightPx: 320 },
        networkTimeoutMs: 5000,
        probeDurationMs: 1000,
        caps: { rtspTimeoutOption: '-timeout', fpsModeOption: '-fps_mode' },
      },
    );
    expect(args[args.indexOf('-vf') + 1]).toBe(
      "scale=w='min(320,iw)':h='min(320,ih)':force_original_aspect_ratio=decrease:flags=bilinear",
    );
  });

  it('reads the input size from the Input section and the output size from the Output section', () => {
    const e = new FfmpegStderr();
    e.feed(
      "Input #0, mov,mp4, from 'x.mp4':\n  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 30 fps\n",
    );
    e.feed(
      "Output #0, rawvideo, to 'pipe:1':\n  Stream #0:0(und): Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, progressive), 320x180 [SAR 1:1 DAR 16:9], q=2-31\n",
    );
    expect([e.inputSize, e.outputSize]).toEqual([
      { widthPx: 1280, heightPx: 720 },
      { widthPx: 320, heightPx: 180 },
    ]);
  });

  it('delivers frames scaled to fit, carrying the camera size', async () => {
    const source = createSource(`file:${clip}?fps=max`, { fitInside: { widthPx: 160, heightPx: 160 } });
    sources.push(source);
    const frames: { w: number; h: number; src: unknown; bytes: number }[] = [];
    source.on('frame', (f) =>
      frames.push({ w: f.widthPx, h: f.heightPx, src: f.sourceSize, bytes: f.rgb.length }),
    );
    await source.start();
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    expect(frames).toHaveLength(30);
    expect(frames[0]).toEqual({ w: 160, h: 90, src: { widthPx: 640, heightPx: 360 }, bytes: 160 * 90 * 3 });
  });

  it('leaves a picture already inside the box alone, without a source size', async () => {
    const source = createSource(`file:${clip}?fps=max`, { fitInside: { widthPx: 1280, heightPx: 1280 } });
    sources.push(source);
    let first: Frame | undefined;
    source.on('frame', (f) => (first ??= { ...f, rgb: new Uint8Array(0) }));
    await source.start();
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    expect([first!.widthPx, first!.heightPx, first!.sourceSize]).toEqual([640, 360, undefined]);
  });
});

describe("whenBuffersBusy: 'wait'", () => {
  it('pauses the decoder while the consumer holds every buffer, and drops nothing', async () => {
    const source = createSource(`file:${clip}?fps=max`, {
      ringSize: 2,
      whenBuffersBusy: 'wait',
      // Short enough for the hold below to cross both; the restart limit also leaves a busy
      // machine time to start ffmpeg (a slow start must not count as a hung decoder).
      stallTimeoutMs: 250,
      restartAfterStallMs: 1500,
    });
    sources.push(source);
    const held: Frame[] = [];
    const ids: number[] = [];
    let holding = true;
    const bothHeld = new Promise<void>((resolve) => {
      source.on('frame', (f) => {
        ids.push(f.frameId);
        if (!holding) return;
        f.retain();
        held.push(f);
        if (held.length === 2) resolve();
      });
    });
    const states: string[] = [];
    source.on('state', (c) => states.push(c.state));
    await source.start();
    await bothHeld;
    const mark = states.length;
    expect(source.state).toBe('live');
    // Hold both buffers past the stall and restart limits (a deliberate hold, not a wait for an
    // event): a file waiting for its consumer is not a stalled camera, so no state changes.
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(ids).toEqual([1, 2]);
    expect(states.slice(mark)).toEqual([]);
    holding = false;
    for (const h of held.splice(0)) h.release();
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(source.stats.droppedNoBuffer).toBe(0);
    // Never restarted. (Between the last frame and ffmpeg's exit a busy machine may see a short
    // 'stalled' under these tight test limits; that is the watchdog doing its job, not the wait.)
    expect(states).not.toContain('reconnecting');
    expect(states.at(-1)).toBe('stopped');
    expect(source.stats.restarts).toBe(0);
  });
});

/**
 * Capture sources against the real ffmpeg on generated clips: exact frame counts, recovery after
 * the decoder is killed, clear errors for bad inputs, the stall watchdog, buffer ownership, and
 * the synthetic and images sources. Everything is awaited on events with timeouts; no sleeps.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from '../../src/main/capture/create-source';
import { buildFfmpegArgs, FfmpegStderr } from '../../src/main/capture/ffmpeg-source';
import {
  ffmpegCapabilities,
  FfmpegNotFoundError,
  parseFfmpegVersion,
  resolveFfmpeg,
} from '../../src/main/capture/ffmpeg-path';
import { FrameSlot } from '../../src/main/capture/frame-slot';
import { waitForState } from '../../src/main/capture/source-base';
import { SyntheticSource } from '../../src/main/capture/synthetic-source';
import { renderSyntheticFrame } from '../../src/main/core/synthetic-scene';
import type { Frame, FrameSource, SourceOptions } from '../../src/main/capture/types';
import { sharedImage } from '../helpers/paths';
import {
  decodeAll,
  freePort,
  isAlive,
  makeClip,
  recordStates,
  waitForExit,
  waitForFrame,
} from './capture-helpers';

const FAST_RETRY: SourceOptions = { backoff: { initialDelayMs: 50, maxDelayMs: 200 }, killTimeoutMs: 500 };

let dir: string;
let clip37: string;
const sources: FrameSource[] = [];

function track<T extends FrameSource>(s: T): T {
  sources.push(s);
  return s;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vs-capture-'));
  clip37 = await makeClip(dir, 'clip37.mp4', 37);
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ffmpeg file source', () => {
  it('delivers exactly N whole, correct frames at fps=max, then stops with "end of stream"', async () => {
    const reference = await decodeAll(clip37);
    const frameBytes = 320 * 240 * 3;
    expect(reference.length).toBe(37 * frameBytes);

    const source = track(createSource(`file:${clip37}?fps=max`));
    const states = recordStates(source);
    const ids: number[] = [];
    let mismatched = 0;
    source.on('frame', (f) => {
      expect(f.rgb.length).toBe(frameBytes);
      expect([f.widthPx, f.heightPx]).toEqual([320, 240]);
      // Compare in the callback: the buffer is only ours while the listener runs.
      const i = ids.length;
      if (
        Buffer.compare(
          Buffer.from(f.rgb.buffer, f.rgb.byteOffset, f.rgb.length),
          reference.subarray(i * frameBytes, (i + 1) * frameBytes),
        ) !== 0
      )
        mismatched++;
      ids.push(f.frameId);
    });
    await source.start();
    const end = await waitForState(source, (c) => c.state === 'stopped' || c.state === 'error', 15_000);
    expect(end).toMatchObject({ state: 'stopped', reason: 'end of stream' });
    expect(ids).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
    expect(mismatched).toBe(0);
    expect(states.map((s) => s.state)).toEqual(['starting', 'live', 'stopped']);
    expect(source.stats).toEqual({ framesDelivered: 37, droppedNoBuffer: 0, restarts: 0 });
    expect(source.pid).toBeUndefined();
  });

  it('lets ffmpeg scale to the requested size, keeping the aspect ratio when one side is given', async () => {
    const source = track(createSource(`file:${clip37}?fps=max`, { outputSize: { widthPx: 160 } }));
    const sizes = new Set<string>();
    let n = 0;
    source.on('frame', (f) => {
      sizes.add(`${f.widthPx}x${f.heightPx}:${f.rgb.length}`);
      n++;
    });
    await source.start();
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    expect([...sizes]).toEqual([`160x120:${160 * 120 * 3}`]);
    expect(n).toBe(37);
  });

  it('recovers when ffmpeg is killed mid-stream: reconnecting, then live with frames resuming', async () => {
    const loopClip = await makeClip(dir, 'loop.mp4', 50);
    const source = track(createSource(`file:${loopClip}?loop=1`, FAST_RETRY));
    const states = recordStates(source);
    await source.start();
    const before = await waitForFrame(source, (f) => f.frameId >= 3, 10_000);
    const pid = source.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');

    const reconnecting = await waitForState(source, (c) => c.state === 'reconnecting', 5000);
    expect(reconnecting.reason).toMatch(/ffmpeg was killed \(SIGKILL\)/);
    await waitForState(source, (c) => c.state === 'live', 10_000);
    const after = await waitForFrame(source, (f) => f.frameId > before.frameId + 3, 10_000);
    expect(after.captureTimeMs).toBeGreaterThan(before.captureTimeMs);
    expect(source.pid).not.toBe(pid);
    expect(source.stats.restarts).toBe(1);
    const seq = states.map((s) => s.state);
    expect(seq.slice(seq.indexOf('reconnecting'))).toEqual(['reconnecting', 'live']);
  });

  it('reports a missing file as an error state with the path, without hanging', async () => {
    const missing = join(dir, 'no-such-clip.mp4');
    const source = track(createSource(`file:${missing}`));
    await source.start();
    const s = await waitForState(source, (c) => c.state === 'error', 5000);
    expect(s.reason).toBe(`file not found: ${missing}`);
    expect(source.pid).toBeUndefined();
  });

  it("reports a file ffmpeg cannot decode as an error with ffmpeg's own words", async () => {
    const bogus = join(dir, 'bogus.mp4');
    writeFileSync(bogus, 'this is not a video');
    const source = track(createSource(`file:${bogus}`));
    await source.start();
    const s = await waitForState(source, (c) => c.state === 'error', 10_000);
    expect(s.reason).toMatch(
      new RegExp(
        `^cannot read ${bogus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(Invalid data|moov atom not found)`,
      ),
    );
    expect(s.stderrTail?.length).toBeGreaterThan(0);
  });

  it('reports an unreachable RTSP camera as reconnecting with the reason, and stops cleanly', async () => {
    const port = await freePort();
    const source = track(
      createSource(`rtsp://user:secret@127.0.0.1:${port}/x`, { ...FAST_RETRY, networkTimeoutMs: 2000 }),
    );
    const states = recordStates(source);
    await source.start();
    const s = await waitForState(source, (c) => c.state === 'reconnecting', 10_000);
    expect(s.reason).toMatch(/Connection refused/);
    expect(s.retryInMs).toBeGreaterThan(0);
    expect(s.attempt).toBe(1);
    expect(JSON.stringify(states)).not.toContain('secret');
    // Backoff keeps trying on its own.
    await waitForState(
      source,
      (c) => c.state === 'reconnecting' && (source.stats.restarts ?? 0) >= 2,
      10_000,
    );
    await source.stop();
    expect(source.state).toBe('stopped');
    expect(source.pid).toBeUndefined();
  });

  it('stop() kills ffmpeg and resolves after it exited', async () => {
    const loopClip = await makeClip(dir, 'loop-stop.mp4', 25);
    const source = track(createSource(`file:${loopClip}?loop=1`));
    await source.start();
    await waitForState(source, (c) => c.state === 'live', 10_000);
    const pid = source.pid as number;
    expect(isAlive(pid)).toBe(true);
    await source.stop();
    expect(source.state).toBe('stopped');
    expect(source.stateReason).toBe('stopped by request');
    // Reaped by Node before stop() resolved, so the pid no longer exists.
    await waitForExit(pid, 1000);
    let late = 0;
    source.on('frame', () => late++);
    await source.stop(); // idempotent
    expect(late).toBe(0);
  });

  it('goes stalled when frames stop, then restarts the hung ffmpeg and goes live again', async () => {
    const loopClip = await makeClip(dir, 'loop-stall.mp4', 25);
    // Limits well above the frame interval, so a busy machine's hiccup is not taken for a stall.
    const source = track(
      createSource(`file:${loopClip}?loop=1`, {
        ...FAST_RETRY,
        stallTimeoutMs: 1000,
        restartAfterStallMs: 2500,
      }),
    );
    const states = recordStates(source);
    await source.start();
    await waitForState(source, (c) => c.state === 'live', 10_000);
    const pid = source.pid as number;
    const mark = states.length;
    // A frozen decoder: still alive, no frames. SIGTERM cannot stop a stopped process; SIGKILL after killTimeoutMs does.
    process.kill(pid, 'SIGSTOP');
    const stalled = await waitForState(source, (c) => c.state === 'stalled', 5000);
    expect(stalled.reason).toMatch(/^no frame for \d+ ms$/);
    const reconnecting = await waitForState(source, (c) => c.state === 'reconnecting', 5000);
    expect(reconnecting.reason).toMatch(/no frame for 2500 ms; restarting ffmpeg/);
    await waitForState(source, (c) => c.state === 'live', 10_000);
    expect(isAlive(pid)).toBe(false);
    expect(states.slice(mark).map((s) => s.state)).toEqual(['stalled', 'reconnecting', 'live']);
  });

  it('never overwrites a retained frame: when consumers hold every buffer, new frames are dropped and counted', async () => {
    const source = track(createSource(`file:${clip37}?fps=max`, { ringSize: 3 }));
    const kept: Frame[] = [];
    const firstBytes: number[][] = [];
    source.on('frame', (f) => {
      f.retain();
      kept.push(f);
      firstBytes.push(Array.from(f.rgb.subarray(0, 64)));
    });
    await source.start();
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    expect(kept.map((f) => f.frameId)).toEqual([1, 2, 3]);
    expect(source.stats.droppedNoBuffer).toBe(34);
    // Still the pixels they had when delivered, although 34 more frames were decoded since.
    kept.forEach((f, i) => expect(Array.from(f.rgb.subarray(0, 64))).toEqual(firstBytes[i]));
    kept.forEach((f) => f.release());
  });

  it('feeds a newest-frame slot that drops what a slow consumer cannot take', async () => {
    const source = track(createSource(`file:${clip37}?fps=max`));
    const slot = new FrameSlot();
    source.on('frame', (f) => slot.put(f));
    await source.start();
    const first = await slot.take();
    // Hold the first frame until the clip has ended: every frame but the newest is dropped meanwhile.
    await waitForState(source, (c) => c.state === 'stopped', 15_000);
    first.release();
    const newest = await slot.take();
    expect(newest.frameId).toBe(37);
    newest.release();
    expect(slot.stats).toEqual({ captured: 37, dropped: 35, taken: 2 });
  });
});

describe('ffmpeg resolution and command line', () => {
  const modern = { rtspTimeoutOption: '-timeout', fpsModeOption: '-fps_mode' } as const;

  it('builds TCP RTSP with a socket timeout, -re for native pace, loop, fps and scale filters', () => {
    const rtsp = buildFfmpegArgs(
      { kind: 'network', protocol: 'rtsp', url: 'rtsp://h/x' },
      { networkTimeoutMs: 3000, probeDurationMs: 1000, caps: modern },
    );
    expect(rtsp.join(' ')).toContain(
      '-rtsp_transport tcp -timeout 3000000 -fflags nobuffer -flags low_delay -analyzeduration 1000000 -protocol_whitelist rtsp,rtp,tcp,udp -i rtsp://h/x',
    );
    const old = buildFfmpegArgs(
      { kind: 'network', protocol: 'rtsp', url: 'rtsp://h/x' },
      {
        networkTimeoutMs: 3000,
        probeDurationMs: 1000,
        caps: { rtspTimeoutOption: '-stimeout', fpsModeOption: '-vsync' },
      },
    );
    expect(old.join(' ')).toContain('-stimeout 3000000');
    expect(old.join(' ')).toContain('-vsync passthrough');
    const tcp = buildFfmpegArgs(
      { kind: 'network', protocol: 'tcp', url: 'tcp://h:1' },
      { networkTimeoutMs: 2000, probeDurationMs: 500, caps: modern },
    );
    expect(tcp.join(' ')).toContain('-rw_timeout 2000000');
    expect(tcp.join(' ')).toContain('-protocol_whitelist tcp -i tcp://h:1');
    const http = buildFfmpegArgs(
      { kind: 'network', protocol: 'https', url: 'https://h/x.ts' },
      { networkTimeoutMs: 2000, probeDurationMs: 500, caps: modern },
    );
    expect(http.join(' ')).toContain('-protocol_whitelist https,tls,tcp -i https://h/x.ts');
    const file = buildFfmpegArgs(
      { kind: 'file', path: '/a.mp4', loop: true, fps: 10 },
      { outputSize: { widthPx: 640 }, networkTimeoutMs: 1, probeDurationMs: 1, caps: modern },
    );
    expect(file.join(' ')).toBe(
      '-hide_banner -nostdin -nostats -loglevel info -re -stream_loop -1 -protocol_whitelist file -i /a.mp4 -map 0:v:0 -an -sn -dn -vf fps=10,scale=640:-2:flags=bilinear -fps_mode passthrough -f rawvideo -pix_fmt rgb24 pipe:1',
    );
    const max = buildFfmpegArgs(
      { kind: 'file', path: '/a.mp4', loop: false, fps: 'max' },
      { networkTimeoutMs: 1, probeDurationMs: 1, caps: modern },
    );
    expect(max).not.toContain('-re');
    expect(max).not.toContain('-vf');
    const cam = buildFfmpegArgs(
      { kind: 'v4l2', device: '/dev/video0', size: { widthPx: 1280, heightPx: 720 }, fps: 30 },
      { networkTimeoutMs: 1, probeDurationMs: 1, caps: modern },
    );
    expect(cam.join(' ')).toContain('-f v4l2 -video_size 1280x720 -framerate 30 -i /dev/video0');
    const mac = buildFfmpegArgs(
      { kind: 'avfoundation', device: '0' },
      { networkTimeoutMs: 1, probeDurationMs: 1, caps: modern },
    );
    expect(mac.join(' ')).toContain('-f avfoundation -i 0:none');
  });

  it("finds the output size in ffmpeg's stderr, not the codec tag that looks like one, and keeps a bounded tail", () => {
    const e = new FfmpegStderr(5);
    e.feed(
      "Input #0, mov,mp4, from 'a.mp4':\n  Stream #0:0[0x1](und): Video: h264 (avc1 / 0x31637661), yuv420p, 1920x1080, 25 fps\nOutput #0, rawvideo, to 'pipe:1':\n",
    );
    expect(e.outputSize).toBeUndefined();
    e.feed(
      '  Stream #0:0(und): Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 64',
    );
    e.feed('0x360 [SAR 1:1 DAR 16:9], q=2-31, 25 fps\r\n');
    expect(e.outputSize).toEqual({ widthPx: 640, heightPx: 360 });
    for (let i = 0; i < 10; i++) e.feed(`line ${i}\n`);
    e.feed('[tcp @ 0x1] Connection to tcp://u:pw@h:1 failed: Connection refused\nsomething after');
    expect(e.tail()).toEqual(
      [
        'line 6',
        'line 7',
        'line 8',
        'line 9',
        '[tcp @ 0x1] Connection to tcp://u:***@h:1 failed: Connection refused',
        'something after',
      ].slice(-5),
    );
    expect(e.errorLine()).toBe('[tcp @ 0x1] Connection to tcp://u:***@h:1 failed: Connection refused');
  });

  it("picks option names by the build's libavformat version", () => {
    expect(
      parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1\nlibavformat    59. 27.100 / 59. 27.100'),
    ).toMatchObject({
      versionText: '5.1.9-0+deb12u1',
      rtspTimeoutOption: '-timeout',
      fpsModeOption: '-fps_mode',
    });
    expect(parseFfmpegVersion('ffmpeg version 5.0\nlibavformat    59. 16.100')).toMatchObject({
      rtspTimeoutOption: '-timeout',
      fpsModeOption: '-vsync',
    });
    expect(
      parseFfmpegVersion('ffmpeg version N-47683-g0e8eb07980-static\nlibavformat    58. 24.100'),
    ).toMatchObject({ rtspTimeoutOption: '-stimeout', fpsModeOption: '-vsync' });
  });

  it('resolves ffmpeg from config, then PATH, then the npm package, and names a bad configured path', () => {
    expect(resolveFfmpeg({ configuredPath: '/usr/bin/ffmpeg' })).toEqual({
      path: '/usr/bin/ffmpeg',
      origin: 'config',
    });
    expect(resolveFfmpeg({ envPath: `/nonexistent:/usr/bin` })).toEqual({
      path: '/usr/bin/ffmpeg',
      origin: 'path',
    });
    expect(resolveFfmpeg({ envPath: '' }).origin).toBe('npm');
    expect(() => resolveFfmpeg({ envPath: '', allowNpm: false })).toThrow(FfmpegNotFoundError);
    expect(() => resolveFfmpeg({ configuredPath: join(dir, 'ffmpeg-typo') })).toThrow(
      /configured ffmpeg .*ffmpeg-typo" does not exist/,
    );
  });

  it('works with the old npm-packaged ffmpeg build too (version-dependent options)', async () => {
    const npm = resolveFfmpeg({ envPath: '' }).path;
    expect((await ffmpegCapabilities(npm)).libavformat[0]).toBeLessThan(59);
    const source = track(createSource(`file:${clip37}?fps=max`, { ffmpegPath: npm }));
    let n = 0;
    source.on('frame', () => n++);
    await source.start();
    expect(
      await waitForState(source, (c) => c.state === 'stopped' || c.state === 'error', 15_000),
    ).toMatchObject({ state: 'stopped', reason: 'end of stream' });
    expect(n).toBe(37);
    // With the wrong timeout option (-timeout) this old build would listen instead of connect and hang.
    const port = await freePort();
    const rtsp = track(createSource(`rtsp://127.0.0.1:${port}/x`, { ...FAST_RETRY, ffmpegPath: npm }));
    await rtsp.start();
    expect((await waitForState(rtsp, (c) => c.state === 'reconnecting', 10_000)).reason).toMatch(
      /Connection refused/,
    );
  });

  it('reports a configured ffmpeg that does not exist as an error state', async () => {
    const source = track(createSource(`file:${clip37}`, { ffmpegPath: join(dir, 'no-ffmpeg') }));
    await source.start();
    expect((await waitForState(source, (c) => c.state === 'error', 5000)).reason).toMatch(
      /configured ffmpeg/,
    );
  });
});

describe('synthetic source', () => {
  it('renders the scene into ring buffers, frame id N = scene frame N - 1, with ground truth', async () => {
    const source = track(createSource('synthetic:?size=320x180&fps=max')) as SyntheticSource;
    const got: { id: number; same: boolean; parts: number }[] = [];
    source.on('frame', (f) => {
      if (got.length >= 40) return;
      const expected = renderSyntheticFrame(f.frameId - 1, 320, 180).rgb;
      got.push({
        id: f.frameId,
        same: Buffer.compare(Buffer.from(f.rgb), Buffer.from(expected)) === 0,
        parts: source.groundTruth(f.frameId)?.length ?? -1,
      });
    });
    await source.start();
    await waitForFrame(source, (f) => f.frameId >= 40, 10_000);
    expect(got.map((g) => g.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(got.every((g) => g.same)).toBe(true);
    expect(got.every((g) => g.parts >= 0)).toBe(true);
    expect(source.state).toBe('live');
  });

  it('paces frames at the requested rate', async () => {
    const source = track(createSource('synthetic:?size=160x90&fps=20'));
    const times: number[] = [];
    source.on('frame', (f) => times.push(f.captureTimeMs));
    await source.start();
    await waitForFrame(source, (f) => f.frameId >= 11, 5000);
    const spanMs = times[10] - times[0];
    // 10 intervals of 50 ms; generous bounds, CI timers are coarse.
    expect(spanMs).toBeGreaterThan(400);
    expect(spanMs).toBeLessThan(900);
  });
});

describe('images source', () => {
  it('plays a folder as a slideshow at one size and ends with "end of stream"', async () => {
    const imgDir = join(dir, 'slides');
    mkdirSync(imgDir);
    const dog = sharedImage('dog.jpg');
    const horses = sharedImage('horses.jpg');
    if (!existsSync(dog) || !existsSync(horses))
      throw new Error('shared test photos are missing; set VISION_STATION_SHARED');
    copyFileSync(dog, join(imgDir, 'img10.jpg'));
    copyFileSync(horses, join(imgDir, 'img2.jpg'));
    writeFileSync(join(imgDir, 'notes.txt'), 'not a picture');
    const source = track(createSource(`images:${imgDir}?fps=max`, { outputSize: { widthPx: 320 } }));
    const frames: { id: number; w: number; h: number; len: number }[] = [];
    source.on('frame', (f) => frames.push({ id: f.frameId, w: f.widthPx, h: f.heightPx, len: f.rgb.length }));
    await source.start();
    const end = await waitForState(source, (c) => c.state === 'stopped' || c.state === 'error', 10_000);
    expect(end).toMatchObject({ state: 'stopped', reason: 'end of stream' });
    expect(frames.map((f) => f.id)).toEqual([1, 2]);
    expect(new Set(frames.map((f) => `${f.w}x${f.h}x${f.len / (f.w * f.h)}`)).size).toBe(1);
    expect(frames[0].w).toBe(320);
  });

  it('reports a missing or empty folder as an error', async () => {
    const missing = track(createSource(`images:${join(dir, 'nope')}`));
    await missing.start();
    expect((await waitForState(missing, (c) => c.state === 'error', 5000)).reason).toMatch(
      /^folder not found: /,
    );
    const emptyDir = join(dir, 'empty');
    mkdirSync(emptyDir);
    const empty = track(createSource(`images:${emptyDir}`));
    await empty.start();
    expect((await waitForState(empty, (c) => c.state === 'error', 5000)).reason).toMatch(
      /^no pictures .* in folder /,
    );
  });
});

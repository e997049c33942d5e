import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFfmpegArgs } from '../../src/main/capture/ffmpeg-source';
import { ffmpegCapabilities, resolveFfmpeg } from '../../src/main/capture/ffmpeg-path';
import {
  checkSourceAllowed,
  defaultMediaDirs,
  SourceNotAllowedError,
  type SourcePolicy,
} from '../../src/main/capture/source-policy';
import { Station } from '../../src/main/station/station';
import { SHARED_DIR, WORKER_JS } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-policy-'));
const media = join(tmp, 'media');
const outside = join(tmp, 'outside');
mkdirSync(join(media, 'photos'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(media, 'clip.mp4'), 'not really a video');
writeFileSync(join(outside, 'secret.mp4'), 'secret');
symlinkSync(join(outside, 'secret.mp4'), join(media, 'link.mp4'));
symlinkSync(outside, join(media, 'linkdir'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const policy: SourcePolicy = { mediaDirs: [media], networkSchemes: ['rtsp', 'rtsps'] };

async function refusal(uri: string, p: SourcePolicy = policy): Promise<string> {
  try {
    await checkSourceAllowed(uri, p);
  } catch (e) {
    expect(e).toBeInstanceOf(SourceNotAllowedError);
    return (e as Error).message;
  }
  throw new Error(`${uri} was allowed`);
}

describe('source policy', () => {
  it('allows files and folders inside the media folders', async () => {
    await checkSourceAllowed(`file:${join(media, 'clip.mp4')}?loop=1`, policy);
    await checkSourceAllowed(`images:${join(media, 'photos')}`, policy);
    await checkSourceAllowed(`images:${media}`, policy);
    await checkSourceAllowed('synthetic:', policy);
  });

  it('refuses what is outside, through .. or a link, with the same message as for a missing file', async () => {
    const msg = (path: string): string =>
      `file ${path} is not available to the station: sources must be absolute paths inside the media folders (${media})`;
    expect(await refusal('file:/etc/passwd')).toBe(msg('/etc/passwd'));
    expect(await refusal('file:/etc/no-such-file')).toBe(msg('/etc/no-such-file'));
    expect(await refusal(`file:${join(media, 'missing.mp4')}`)).toBe(msg(join(media, 'missing.mp4')));
    expect(await refusal(`file:${media}/../outside/secret.mp4`)).toBe(msg(`${media}/../outside/secret.mp4`));
    expect(await refusal(`file:${join(media, 'link.mp4')}`)).toBe(msg(join(media, 'link.mp4')));
    expect(await refusal('file:clip.mp4')).toBe(msg('clip.mp4'));
    // A folder is not a file, a file is not a folder.
    expect(await refusal(`file:${join(media, 'photos')}`)).toBe(msg(join(media, 'photos')));
    expect(await refusal(`images:${join(media, 'clip.mp4')}`)).toMatch(/^folder .* is not available/);
    expect(await refusal(`images:${join(media, 'linkdir')}`)).toMatch(/^folder .* is not available/);
    expect(await refusal('images:/etc')).toMatch(/^folder \/etc is not available/);
  });

  it('allows network schemes from the allow-list only, and cameras under /dev only', async () => {
    await checkSourceAllowed('rtsp://10.0.0.5/stream', policy);
    await checkSourceAllowed('rtsps://10.0.0.5/stream', policy);
    expect(await refusal('http://169.254.169.254/latest')).toBe(
      'http:// sources are not allowed on this station (allowed: rtsp, rtsps); an engineer can allow more with serve --allow-scheme',
    );
    expect(await refusal('tcp://10.0.0.5:5000')).toMatch(/^tcp:\/\/ sources are not allowed/);
    await checkSourceAllowed('http://cam.local/live.ts', { ...policy, networkSchemes: ['http'] });
    await checkSourceAllowed('v4l2:/dev/video0', policy);
    expect(await refusal('v4l2:/dev/../etc/passwd')).toBe(
      'camera /dev/../etc/passwd is not a device under /dev/',
    );
  });

  it('defaults to the demo folder and the recordings folder', () => {
    expect(defaultMediaDirs({ demoDir: '/opt/vs/resources/demo', dataDir: '/home/u/.vs' })).toEqual([
      '/opt/vs/resources/demo',
      '/home/u/.vs/recordings',
    ]);
  });

  it("keeps the station's source when setSource names a file outside the media folders", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-policy-station-'));
    const station = new Station({
      backend: 'websocket',
      version: 't',
      dataDir: dir,
      projectModelsDir: join(dir, 'none'),
      demoDir: join(dir, 'resources', 'demo'),
      workerPath: WORKER_JS,
      log: () => {},
      overrides: { source: 'synthetic:?size=320x180&fps=5', model: 'classic', plc: null },
    });
    try {
      await station.start();
      await expect(station.setSource({ uri: 'file:/etc/passwd' })).rejects.toThrow(
        /^file \/etc\/passwd is not available to the station: .*resources\/demo, .*recordings\)$/,
      );
      await expect(station.setSource({ uri: 'images:/etc' })).rejects.toThrow(SourceNotAllowedError);
      expect((await station.getSnapshot()).source.uri).toBe('synthetic:?size=320x180&fps=5');
    } finally {
      await station.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the settings file can add media folders and schemes; the API cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-policy-settings-'));
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ media: { dirs: [media], allowSchemes: ['http'] } }),
    );
    const station = new Station({
      backend: 'websocket',
      version: 't',
      dataDir: dir,
      projectModelsDir: join(dir, 'none'),
      demoDir: join(dir, 'resources', 'demo'),
      workerPath: WORKER_JS,
      log: () => {},
      overrides: { source: 'synthetic:?size=320x180&fps=5', model: 'classic', plc: null },
    });
    try {
      await station.start();
      // A folder the settings allow, with a picture in it: the station switches to it.
      copyFileSync(join(SHARED_DIR, 'images', 'dog.jpg'), join(media, 'photos', 'dog.jpg'));
      const photos = `images:${join(media, 'photos')}`;
      expect((await station.setSource({ uri: photos })).uri).toBe(photos);
      // http is allowed by the settings: refused only because nothing answers there (the running
      // source is kept), not as "not allowed".
      await expect(station.setSource({ uri: 'http://127.0.0.1:9/live.ts' })).rejects.toThrow(
        /the running source was kept$/,
      );
      await expect(station.setSource({ uri: 'tcp://127.0.0.1:9' })).rejects.toThrow(
        'tcp:// sources are not allowed on this station (allowed: rtsp, rtsps, http)',
      );
    } finally {
      await station.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ffmpeg will not follow a playlist file to a network URL (protocol whitelist)', async () => {
    const ffmpeg = resolveFfmpeg().path;
    const playlist = join(media, 'list.m3u8');
    writeFileSync(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n',
    );
    const args = buildFfmpegArgs(
      { kind: 'file', path: playlist, loop: false, fps: 'max' },
      {
        networkTimeoutMs: 1000,
        probeDurationMs: 500,
        caps: await ffmpegCapabilities(ffmpeg),
      },
    );
    const r = spawnSync(ffmpeg, args, { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Protocol 'http' not on whitelist 'file'/);
  });
});

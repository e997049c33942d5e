import { describe, expect, it } from 'vitest';
import {
  describeSource,
  maskCredentials,
  parseSourceUri,
  SourceUriError,
  sourceUriSchema,
} from '../../src/main/capture/source-uri';

function errorOf(uri: string): SourceUriError {
  try {
    parseSourceUri(uri);
  } catch (e) {
    if (e instanceof SourceUriError) return e;
    throw e;
  }
  throw new Error(`expected ${uri} to be rejected`);
}

describe('parseSourceUri', () => {
  it('parses file sources with defaults and options', () => {
    expect(parseSourceUri('file:clip.mp4')).toEqual({
      kind: 'file',
      path: 'clip.mp4',
      loop: false,
      fps: 'native',
    });
    expect(parseSourceUri('file:/data/a b.mp4?loop=1&fps=max')).toEqual({
      kind: 'file',
      path: '/data/a b.mp4',
      loop: true,
      fps: 'max',
    });
    expect(parseSourceUri('file:/x.mp4?fps=12.5&loop=0')).toEqual({
      kind: 'file',
      path: '/x.mp4',
      loop: false,
      fps: 12.5,
    });
    expect(parseSourceUri('file:///data/a%20b.mp4')).toMatchObject({ kind: 'file', path: '/data/a b.mp4' });
    expect(parseSourceUri('file:C:\\videos\\a.mp4')).toMatchObject({
      kind: 'file',
      path: 'C:\\videos\\a.mp4',
    });
  });

  it('passes network URLs through unchanged', () => {
    expect(parseSourceUri('rtsp://admin:pw@10.0.0.5:554/Streaming/101?transport=x')).toEqual({
      kind: 'network',
      protocol: 'rtsp',
      url: 'rtsp://admin:pw@10.0.0.5:554/Streaming/101?transport=x',
    });
    expect(parseSourceUri('tcp://127.0.0.1:5000')).toMatchObject({ kind: 'network', protocol: 'tcp' });
    expect(parseSourceUri('udp://239.0.0.1:1234')).toMatchObject({ kind: 'network', protocol: 'udp' });
    expect(parseSourceUri('http://cam.local/video.ts')).toMatchObject({ kind: 'network', protocol: 'http' });
  });

  it('parses cameras of each platform', () => {
    expect(parseSourceUri('v4l2:/dev/video0?size=1280x720&fps=30')).toEqual({
      kind: 'v4l2',
      device: '/dev/video0',
      size: { widthPx: 1280, heightPx: 720 },
      fps: 30,
    });
    expect(parseSourceUri('v4l2:/dev/video2')).toEqual({ kind: 'v4l2', device: '/dev/video2' });
    expect(parseSourceUri('dshow:video=Integrated Camera')).toEqual({
      kind: 'dshow',
      device: 'video=Integrated Camera',
    });
    expect(parseSourceUri('avfoundation:0?fps=30')).toEqual({ kind: 'avfoundation', device: '0', fps: 30 });
  });

  it('parses images and synthetic sources with defaults', () => {
    expect(parseSourceUri('images:/photos')).toEqual({ kind: 'images', dir: '/photos', loop: false, fps: 1 });
    expect(parseSourceUri('images:/photos?fps=max&loop=true')).toEqual({
      kind: 'images',
      dir: '/photos',
      loop: true,
      fps: 'max',
    });
    expect(parseSourceUri('synthetic:')).toEqual({
      kind: 'synthetic',
      size: { widthPx: 1280, heightPx: 720 },
      fps: 15,
    });
    expect(parseSourceUri('synthetic')).toEqual(parseSourceUri('synthetic:'));
    expect(parseSourceUri('synthetic:?size=640x360&fps=max')).toEqual({
      kind: 'synthetic',
      size: { widthPx: 640, heightPx: 360 },
      fps: 'max',
    });
  });

  it('rejects bad input with messages that say what to fix', () => {
    expect(errorOf('').message).toMatch(/empty source/);
    expect(errorOf('clip.mp4').message).toMatch(/no scheme.*file:clip\.mp4/);
    expect(errorOf('C:\\clip.mp4').message).toMatch(/no scheme/);
    expect(errorOf('ftp://x/y').message).toMatch(/unknown scheme "ftp:"/);
    expect(errorOf('file:').message).toMatch(/missing file path/);
    const fps = errorOf('file:a.mp4?fps=fast');
    expect(fps.message).toMatch(/fps must be a number of frames per second .* or "max"/);
    expect(fps.message).toMatch(/example: file:/);
    expect(errorOf('file:a.mp4?fsp=3').message).toMatch(
      /unknown parameter "fsp".*allowed parameters: loop, fps/,
    );
    expect(errorOf('file:a.mp4?fps=0').message).toMatch(/fps/);
    expect(errorOf('file:a.mp4?fps=1000').message).toMatch(/fps/);
    expect(errorOf('file:a.mp4?loop=maybe').message).toMatch(/loop must be 1 or 0/);
    expect(errorOf('file:a.mp4?fps=1&fps=2').message).toMatch(/given twice/);
    expect(errorOf('v4l2:video0').message).toMatch(/under \/dev\//);
    expect(errorOf('v4l2:/dev/video0?size=big').message).toMatch(/size must be WIDTHxHEIGHT/);
    expect(errorOf('v4l2:/dev/video0?size=1x1').message).toMatch(/width and height must be within/);
    expect(errorOf('v4l2:/dev/video0?fps=max').message).toMatch(/fps/);
    expect(errorOf('dshow:Camera').message).toMatch(/video=NAME/);
    expect(errorOf('tcp://127.0.0.1').message).toMatch(/needs a port/);
    expect(errorOf('rtsp:camera').message).toMatch(/rtsp:\/\//);
    expect(errorOf('synthetic:foo').message).toMatch(/takes no path/);
    expect(errorOf('synthetic:?size=32x32').message).toMatch(/synthetic scene renders 64\.\.7680/);
  });

  it('never shows a password in an error or description', () => {
    const e = errorOf('tcp://admin:secret@10.0.0.5');
    expect(e.message).toMatch(/tcp:\/\/admin:\*\*\*@10\.0\.0\.5/);
    expect(e.message).not.toContain('secret');
    const withBadQuery = (() => {
      try {
        parseSourceUri('file:rtsp://admin:secret@x?fps=bad');
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(withBadQuery).not.toContain('secret');
    expect(describeSource(parseSourceUri('rtsp://admin:secret@10.0.0.5:554/s'))).toBe(
      'rtsp stream rtsp://admin:***@10.0.0.5:554/s',
    );
    expect(maskCredentials('[tcp] rtsp://u:p@h/x failed')).toBe('[tcp] rtsp://u:***@h/x failed');
  });

  it('plugs into zod config schemas', () => {
    expect(sourceUriSchema.parse('synthetic:?fps=5')).toMatchObject({ kind: 'synthetic', fps: 5 });
    const r = sourceUriSchema.safeParse('file:x?fps=no');
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].message).toMatch(/fps/);
  });
});

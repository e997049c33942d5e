import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSourceUri, type SourceSpec } from '../../src/main/capture/source-uri';
import { uriLike, validOrOneClearError } from '../helpers/fuzz';

const KINDS = ['file', 'network', 'v4l2', 'dshow', 'avfoundation', 'images', 'synthetic'];
const valid = (s: SourceSpec): boolean => {
  if (!KINDS.includes(s.kind)) return false;
  if ('fps' in s && typeof s.fps === 'number') return Number.isFinite(s.fps) && s.fps > 0;
  if ('size' in s && s.size) return s.size.widthPx >= 16 && s.size.heightPx >= 16;
  return true;
};

export const SOURCE_URI_RUNS = 2000;

describe('fuzz: source URIs', () => {
  it(`parses or refuses with one SourceUriError (${SOURCE_URI_RUNS} cases)`, () => {
    const arb = uriLike(
      [
        'file:',
        'file://',
        'rtsp://',
        'rtsps://',
        'tcp://',
        'udp://',
        'http://',
        'https://',
        'v4l2:',
        'dshow:',
        'avfoundation:',
        'images:',
        'synthetic:',
        'synthetic',
        'FILE:',
        'c:',
      ],
      [
        '/dev/video0',
        '/tmp/a.mp4',
        'loop=1',
        'fps=max',
        'fps=15',
        'fps=0',
        'fps=1e9',
        'size=1280x720',
        'size=0x0',
        'size=99999x1',
        'video=Cam',
        'user:pw@',
        '10.0.0.1',
        ':554',
        ':0',
        ':99999',
      ],
    );
    fc.assert(
      fc.property(arb, (uri) => {
        validOrOneClearError(() => parseSourceUri(uri), ['SourceUriError'], valid);
      }),
      { numRuns: SOURCE_URI_RUNS },
    );
  });

  it('never shows a password in its error', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{6,12}$/), (pw) => {
        try {
          parseSourceUri(`rtsp://admin:${pw}@10.0.0.1:554/x?bogus=1`);
        } catch (e) {
          expect((e as Error).message).not.toContain(`:${pw}@`);
        }
      }),
      { numRuns: 200 },
    );
  });
});

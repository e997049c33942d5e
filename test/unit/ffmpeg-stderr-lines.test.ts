import { describe, expect, it } from 'vitest';
import { looksLikeError } from '../../src/main/capture/ffmpeg-source';

describe('looksLikeError (ffmpeg stderr)', () => {
  it('reports lines that say something went wrong', () => {
    for (const line of [
      '[http @ 0x55] HTTP error 404 Not Found',
      '[tcp @ 0x1] Connection to tcp://10.0.0.9:554 failed: Connection refused',
      'Server returned 503 Service Unavailable',
      '[rtsp @ 0x2] method DESCRIBE failed: 401 Unauthorized',
      'clip.mp4: No such file or directory',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x3] moov atom not found',
      'HTTP status 500',
    ])
      expect(looksLikeError(line), line).toBe(true);
  });

  it('leaves ordinary metadata and progress lines alone, numbers included', () => {
    for (const line of [
      '    minor_version   : 512',
      '  Duration: 00:00:10.00, start: 0.000000, bitrate: 404 kb/s',
      '  Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720, 401 kb/s, 30 fps',
      'frame=  450 fps= 30 q=-0.0 size=N/A time=00:00:15.00',
    ])
      expect(looksLikeError(line), line).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { FramePicture } from '../../src/main/capture/types';
import { PreviewPairing } from '../../src/main/station/preview-pairing';

const pic = (level: number): FramePicture => ({
  widthPx: 2,
  heightPx: 1,
  rgb: new Uint8Array(6).fill(level),
});

function pairing(maxResults = 32) {
  const pairs: string[] = [];
  let wants = true;
  const p = new PreviewPairing<{ frameId: number }>(
    (r, picture) => pairs.push(`${r.frameId}:${picture.rgb[0]}:${picture.widthPx}x${picture.heightPx}`),
    () => wants,
    maxResults,
  );
  return { p, pairs, setWants: (w: boolean) => (wants = w) };
}

describe('PreviewPairing', () => {
  it('pairs a picture with the result that came before it, at once and without a copy', () => {
    const { p, pairs } = pairing();
    p.result({ frameId: 1 });
    p.result({ frameId: 2 });
    const picture = pic(7);
    let seen: FramePicture | null = null;
    const q = new PreviewPairing<{ frameId: number }>(
      (_r, got) => (seen = got),
      () => true,
    );
    q.result({ frameId: 1 });
    q.preview(1, picture);
    expect(seen).toBe(picture);
    p.preview(1, pic(10));
    expect(pairs).toEqual(['1:10:2x1']);
  });

  it('keeps a picture that came first (copied: the decoder reuses its buffer) until its result', () => {
    const { p, pairs } = pairing();
    const picture = pic(5);
    p.preview(4, picture);
    picture.rgb.fill(99); // the decoder's next picture overwrites its buffer
    expect(pairs).toEqual([]);
    p.result({ frameId: 3 });
    expect(pairs).toEqual([]);
    p.result({ frameId: 4 });
    expect(pairs).toEqual(['4:5:2x1']);
    // Paired once only: the result was used up.
    p.preview(4, pic(6));
    expect(pairs).toEqual(['4:5:2x1']);
  });

  it('lets the newest waiting picture replace an older one, and drops one whose frame got no result', () => {
    const { p, pairs } = pairing();
    p.preview(1, pic(1));
    p.preview(5, pic(5)); // frame 1's result never came before the next picture
    p.result({ frameId: 1 });
    expect(pairs).toEqual([]);
    p.result({ frameId: 6 }); // frame 5 was dropped by the pipeline: its picture goes
    p.result({ frameId: 5 });
    expect(pairs).toEqual([]);
  });

  it('copies nothing while the encoder would skip the picture anyway', () => {
    const { p, pairs, setWants } = pairing();
    setWants(false);
    p.preview(2, pic(2));
    setWants(true);
    p.result({ frameId: 2 });
    expect(pairs).toEqual([]);
    // A result already there is paired whatever the encoder says (it decides on its own).
    setWants(false);
    p.result({ frameId: 3 });
    p.preview(3, pic(3));
    expect(pairs).toEqual(['3:3:2x1']);
  });

  it('forgets results of frames before a picture, and keeps at most maxResults', () => {
    const { p, pairs } = pairing(3);
    for (let id = 1; id <= 5; id++) p.result({ frameId: id });
    // 1 and 2 were forgotten (bound), so their pictures wait instead of pairing.
    p.preview(1, pic(1));
    expect(pairs).toEqual([]);
    p.preview(4, pic(4));
    expect(pairs).toEqual(['4:4:2x1']);
    // 3 came before the picture of 4: no picture of it will come; 5 stays.
    p.preview(3, pic(3));
    expect(pairs).toEqual(['4:4:2x1']);
    p.preview(5, pic(5));
    expect(pairs).toEqual(['4:4:2x1', '5:5:2x1']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseSidecar } from '../../src/main/inference/sidecar';

describe('model sidecar', () => {
  it('version 1: pixelScale becomes mean 0 / std 1/pixelScale, inputWidth/Height kept', () => {
    expect(
      parseSidecar({
        family: 'yolox',
        inputWidth: 416,
        inputHeight: 416,
        preprocess: { channelOrder: 'bgr', pixelScale: 1, padCentred: false, padValue: 114 },
      }),
    ).toEqual({
      family: 'yolox',
      inputWidth: 416,
      inputHeight: 416,
      preprocess: { channelOrder: 'bgr', padCentred: false, padValue: 114, mean: [0, 0, 0], std: [1, 1, 1] },
    });
    expect(parseSidecar({ preprocess: { pixelScale: 1 / 255 } }).preprocess).toEqual({
      mean: [0, 0, 0],
      std: [255, 255, 255],
    });
  });

  it('version 2: task, input, preprocess, semantic options', () => {
    expect(
      parseSidecar({
        version: 2,
        task: 'semantic',
        names: ['bg', 'part'],
        input: { width: 257, height: 257, layout: 'nhwc' },
        preprocess: {
          resize: 'stretch',
          channelOrder: 'rgb',
          mean: [127.5, 127.5, 127.5],
          std: [127.5, 127.5, 127.5],
        },
        objectClasses: ['part'],
        minAreaPx: 100,
      }),
    ).toEqual({
      task: 'semantic',
      names: ['bg', 'part'],
      inputWidth: 257,
      inputHeight: 257,
      inputLayout: 'nhwc',
      preprocess: {
        resize: 'stretch',
        channelOrder: 'rgb',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
      objectClasses: ['part'],
      minAreaPx: 100,
    });
  });

  it('errors name the field', () => {
    expect(() => parseSidecar({ version: 2, task: 'semantic', preprocess: { std: [1, 0, 1] } })).toThrow(
      /^preprocess\.std\.1: /,
    );
    expect(() => parseSidecar({ version: 2, task: 'classify' })).toThrow(/^task: /);
    expect(() => parseSidecar({ version: 2, task: 'detect', input: { width: 320 } })).toThrow(
      /^input\.height: /,
    );
    expect(() => parseSidecar({ version: 2, task: 'detect', pixelScale: 1 })).toThrow(/pixelScale/);
    expect(() => parseSidecar({ preprocess: { mean: [0, 0, 0] } })).toThrow(/^preprocess: .*mean/);
    expect(() => parseSidecar({ inputWidth: 320 })).toThrow(
      '(root): give both inputWidth and inputHeight, or neither',
    );
  });
});

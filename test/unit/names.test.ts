import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COCO80_NAMES, parseClassNames, parsePythonNamesDict } from '../../src/main/core/names';
import { readOnnxMetadata } from '../../src/main/inference/onnx-metadata';
import { sharedModel } from '../helpers/paths';

describe('parsePythonNamesDict', () => {
  it('parses quotes, spaces and apostrophes', () => {
    expect(
      parsePythonNamesDict(`{0: 'person', 1: "rock 'n' roll", 2: 'traffic light', 3: 'it\\'s'}`),
    ).toEqual(['person', "rock 'n' roll", 'traffic light', "it's"]);
  });
  it('fills gaps and tolerates a trailing comma', () => {
    expect(parsePythonNamesDict("{0: 'a', 2: 'c',}")).toEqual(['a', 'class1', 'c']);
    expect(parsePythonNamesDict('{}')).toEqual([]);
  });
  it('rejects what is not a dict of int to str', () => {
    expect(() => parsePythonNamesDict("{'a': 'b'}")).toThrow(/integer class id/);
    expect(() => parsePythonNamesDict("{0: 'a'")).toThrow(/','|'}'/);
    expect(() => parsePythonNamesDict("{0: 'a} ")).toThrow(/unterminated/);
  });
  it('accepts JSON arrays too', () => {
    expect(parseClassNames('["x", "y"]')).toEqual(['x', 'y']);
  });
});

describe('real Ultralytics metadata', () => {
  for (const file of ['yolov8n-int8-coco-640.onnx', 'yolo11n-int8-coco-320.onnx']) {
    it(`parses the names of ${file}`, () => {
      const meta = readOnnxMetadata(readFileSync(sharedModel(file))).metadata;
      expect(meta['task']).toBe('detect');
      const names = parseClassNames(meta['names']!);
      expect(names).toHaveLength(80);
      expect(names).toEqual([...COCO80_NAMES]);
      expect(names[9]).toBe('traffic light');
    });
  }
});

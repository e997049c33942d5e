/**
 * Class names from model metadata. Ultralytics writes `names` as a Python dict literal
 * (`{0: 'person', 1: "rock 'n' roll"}`), not JSON, so it gets its own small tokenizer.
 */

/** Parse a Python dict literal of int → str. Returns names indexed by class id (gaps filled `class<N>`). */
export function parsePythonNamesDict(text: string): string[] {
  const entries = new Map<number, string>();
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new SyntaxError(`class names metadata is not a {int: 'name'} dict: ${what} at character ${i}`);
  };
  const skipWs = (): void => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') fail('expected a quoted name');
    i++;
    let out = '';
    while (i < n && text[i] !== quote) {
      if (text[i] === '\\') {
        const next = text[i + 1];
        if (next === undefined) fail('unfinished escape');
        const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
        out += escapes[next!] ?? `\\${next}`;
        i += 2;
      } else {
        out += text[i];
        i++;
      }
    }
    if (i >= n) fail('unterminated name');
    i++;
    return out;
  };
  skipWs();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  for (;;) {
    skipWs();
    if (text[i] === '}') {
      i++;
      break;
    }
    const m = /^-?\d+/.exec(text.slice(i));
    if (!m) fail('expected an integer class id');
    const id = Number(m![0]);
    i += m![0].length;
    skipWs();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    skipWs();
    entries.set(id, readString());
    skipWs();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') {
      i++;
      break;
    }
    fail("expected ',' or '}'");
  }
  skipWs();
  if (i !== n) fail('trailing characters');
  if (entries.size === 0) return [];
  const maxId = Math.max(...entries.keys());
  if ([...entries.keys()].some((k) => k < 0))
    throw new SyntaxError('class names metadata has a negative class id');
  return Array.from({ length: maxId + 1 }, (_, k) => entries.get(k) ?? `class${k}`);
}

/** Accepts the Python dict, a JSON object `{"0": "a"}` or a JSON array `["a", "b"]`. */
export function parseClassNames(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const arr: unknown = JSON.parse(trimmed);
    if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) {
      throw new SyntaxError('class names metadata is a JSON array but not of strings');
    }
    return arr as string[];
  }
  return parsePythonNamesDict(trimmed);
}

export function classNameOf(names: readonly string[], classId: number): string {
  return names[classId] ?? `class${classId}`;
}

/** The 80 COCO class names, for models that carry no metadata (YOLOv5 exports, YOLOX). */
export const COCO80_NAMES: readonly string[] = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
];

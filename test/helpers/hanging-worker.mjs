// An inference worker that speaks the engine's protocol but hangs, like a native call that never
// returns, on the first frame any worker of this test gets (VS_HANG_MARKER names a file: the worker
// that creates it, exclusively, hangs). Every other frame is answered with one detection.
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { fakeModelInfo } from './fake-model-info.mjs';

const marker = process.env.VS_HANG_MARKER;
const info = fakeModelInfo('hangs-once', 'classic', ['part']);
parentPort.on('message', (msg) => {
  if (msg.type === 'load') parentPort.postMessage({ type: 'loaded', id: msg.id, info });
  else if (msg.type === 'release') parentPort.postMessage({ type: 'released', id: msg.id });
  else if (msg.type === 'infer') {
    let first = false;
    try {
      writeFileSync(marker, 'hung', { flag: 'wx' });
      first = true;
    } catch {
      // Another frame hung already (two lanes may get their first frames at the same moment).
    }
    if (first) for (;;); // stuck for good: only terminating the thread ends this
    parentPort.postMessage({
      type: 'result',
      id: msg.id,
      output: {
        detections: [{ classId: 0, className: 'part', score: 0.9, box: [1, 2, 3, 4] }],
        timings: { preMs: 0, inferMs: 0, postMs: 0 },
      },
    });
  }
});

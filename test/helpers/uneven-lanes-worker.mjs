// An inference worker that speaks the engine's protocol for two lanes of uneven speed: the first
// worker of a test to load (it creates VS_LANES_MARKER, exclusively) answers each frame after
// 150 ms, any later one at once, so later frames finish before earlier ones. Each answer names
// its lane in the detection's class.
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { fakeModelInfo } from './fake-model-info.mjs';

let slow = false;
const info = fakeModelInfo('uneven-lanes', 'yolov8', ['slow', 'fast']);
parentPort.on('message', (msg) => {
  if (msg.type === 'load') {
    try {
      writeFileSync(process.env.VS_LANES_MARKER, 'slow', { flag: 'wx' });
      slow = true;
    } catch {
      // The other lane is the slow one.
    }
    parentPort.postMessage({ type: 'loaded', id: msg.id, info });
  } else if (msg.type === 'release') parentPort.postMessage({ type: 'released', id: msg.id });
  else if (msg.type === 'infer') {
    const answer = () =>
      parentPort.postMessage({
        type: 'result',
        id: msg.id,
        output: {
          detections: [
            { classId: slow ? 0 : 1, className: slow ? 'slow' : 'fast', score: 0.9, box: [1, 2, 3, 4] },
          ],
          timings: { preMs: 0, inferMs: 0, postMs: 0 },
        },
      });
    if (slow) setTimeout(answer, 150);
    else answer();
  }
});

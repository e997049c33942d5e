/**
 * The inference worker thread: holds one loaded model and answers load/infer/release requests.
 * Requests are handled one at a time so a model never runs two frames at once (the input buffer
 * is reused between frames).
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { LoadedModel } from './model';
import { loadModel } from './load-model';
import type { FromWorker, ToWorker } from './protocol';

if (!parentPort) throw new Error('inference worker must run in a worker thread');
const port = parentPort;
let model: LoadedModel | null = null;
let chain: Promise<void> = Promise.resolve();

const send = (msg: FromWorker): void => port.postMessage(msg);

/**
 * Nice 19 for this thread. On Linux the nice value belongs to the thread (setpriority on the calling
 * task), and onnxruntime's threads, created later by this thread, inherit it: the serving model's
 * worker keeps its priority. Elsewhere it may lower the whole process, so only on Linux.
 */
function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(19);
  } catch {
    // Not allowed here (a container's seccomp policy): the load runs at normal priority.
  }
}

async function handle(msg: ToWorker): Promise<void> {
  try {
    switch (msg.type) {
      case 'load': {
        if (model)
          throw new Error(
            'this worker already holds a model; the engine swaps models by starting a new worker',
          );
        if (msg.lowPriority) lowerThreadPriority();
        model = await loadModel(msg.spec, (message) => send({ type: 'status', message }));
        send({ type: 'loaded', id: msg.id, info: model.info, frameFormat: model.frameFormat ?? null });
        break;
      }
      case 'infer': {
        if (!model) throw new Error('no model loaded');
        const output = await model.run(
          { rgb: msg.rgb, widthPx: msg.widthPx, heightPx: msg.heightPx },
          msg.params,
        );
        send({ type: 'result', id: msg.id, output });
        break;
      }
      case 'release': {
        await model?.release();
        model = null;
        send({ type: 'released', id: msg.id });
        break;
      }
    }
  } catch (e) {
    send({ type: 'error', id: msg.id, message: (e as Error).message });
  }
}

port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});

/**
 * The recorder is one more output: it sees every result with its picture (across source changes),
 * and the PLC's outcome of each write. Loaded only when recording: its SQLite addon must be built
 * for the runtime (Node or Electron), and a station that does not record never loads it.
 */
import type { Recorder, RecorderOptions } from '../recording/recorder';
import type { OutputSinks } from './outputs';
import type { RuntimeEvents, VisionRuntime } from './runtime';

export type RecordSettings = Omit<RecorderOptions, 'params' | 'classNames' | 'log'>;

export async function attachRecorder(
  settings: RecordSettings,
  deps: { runtime: VisionRuntime; log: (line: string) => void },
): Promise<Recorder> {
  const { Recorder } = await import('../recording/recorder');
  const rt = deps.runtime;
  // The recording keeps every frame's preview picture: the app's decoder makes one for each.
  await rt.setPreviewOfEveryFrame(true);
  let recorder: Recorder;
  try {
    recorder = new Recorder({
      ...settings,
      params: () => rt.decodeParams,
      classNames: () => rt.engine.model?.classNames ?? [],
      log: deps.log,
    });
  } catch (e) {
    void rt.setPreviewOfEveryFrame(false);
    throw e;
  }
  const onResult = (...[r, frame, candidates]: RuntimeEvents['result']): void =>
    recorder.offer(r, frame, candidates);
  rt.on('result', onResult);
  const follow = (outputs: OutputSinks | null): void => {
    outputs?.on('plcWrite', (w) => recorder.notePlcWrite(w.frameId, { ok: true, stale: w.stale }));
    outputs?.on('plcAlarm', (a) => recorder.notePlcError(a.message));
  };
  follow(rt.outputs);
  rt.on('outputs', follow);
  // Candidates below the threshold go to this recorder only (never to the PLC or serial port).
  if (settings.doubtfulMin !== undefined) rt.setCandidateFloor(settings.doubtfulMin);
  recorder.once('closed', () => {
    void rt.setPreviewOfEveryFrame(false);
    rt.off('result', onResult);
    rt.off('outputs', follow);
    if (settings.doubtfulMin !== undefined) rt.setCandidateFloor(null);
  });
  return recorder;
}

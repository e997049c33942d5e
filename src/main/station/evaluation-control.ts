/**
 * The station's evaluation run: at most one, in the background, in its own inference worker (the
 * live line keeps its engine), with its state pushed on every change and cancel through an
 * AbortSignal. Which paths and models are allowed is decided by the station and passed in.
 */
import { EventEmitter } from 'node:events';
import type { EvaluationState, StartEvaluationRequest } from '../../shared/evaluation';
import { EvaluationService } from '../eval/service';

export interface EvaluationControlOptions {
  workerPath: string;
  /** Throws with a message for the user when the path may not be read by clients. */
  checkDataPath: (path: string) => Promise<void>;
  /** Library ids to model files; throws naming an id that is unknown or cannot run. */
  resolveModels: (ids: string[]) => Promise<string[]>;
  log: (line: string) => void;
}

const IDLE: EvaluationState = {
  state: 'idle',
  dataPath: null,
  modelIds: [],
  progress: null,
  results: null,
  error: null,
};

export class EvaluationControl extends EventEmitter<{ state: [EvaluationState] }> {
  private readonly service: EvaluationService;
  private current: EvaluationState = IDLE;
  private abort: AbortController | null = null;
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EvaluationControlOptions) {
    super();
    this.service = new EvaluationService({ workerPath: opts.workerPath });
    this.service.on('progress', (progress) => this.set({ ...this.current, progress }));
  }

  get state(): EvaluationState {
    return this.current;
  }

  private set(s: EvaluationState): void {
    this.current = s;
    this.emit('state', s);
  }

  /** Validates, then starts the run and resolves at once with the `running` state. */
  async start(req: StartEvaluationRequest): Promise<EvaluationState> {
    if (this.abort) throw new Error('an evaluation is already running; cancel it or wait for it to finish');
    await this.opts.checkDataPath(req.dataPath);
    const modelPaths = await this.opts.resolveModels(req.modelIds);
    // Checked again: the awaits above leave room for a second start.
    if (this.abort) throw new Error('an evaluation is already running; cancel it or wait for it to finish');
    const abort = new AbortController();
    this.abort = abort;
    this.set({ ...IDLE, state: 'running', dataPath: req.dataPath, modelIds: req.modelIds });
    this.finished = this.service
      .run({ dataPath: req.dataPath, modelPaths }, abort.signal)
      .then(
        (results) => this.set({ ...this.current, state: 'done', results }),
        (e: unknown) => {
          if (abort.signal.aborted) this.set({ ...this.current, state: 'cancelled' });
          else {
            const error = (e as Error).message;
            this.opts.log(`evaluation failed: ${error}`);
            this.set({ ...this.current, state: 'failed', error });
          }
        },
      )
      .finally(() => {
        this.abort = null;
      });
    return this.current;
  }

  /** Stops the run (its worker ends) and resolves with the final state; a no-op when idle. */
  async cancel(): Promise<EvaluationState> {
    this.abort?.abort();
    await this.finished;
    return this.current;
  }
}

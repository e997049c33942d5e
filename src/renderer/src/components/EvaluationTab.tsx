/**
 * The Evaluation tab: wires EvaluationPanel to the station (models from the library, the run's
 * state from `evaluation` events, activation through the normal hot swap). The panel and recharts
 * load with the tab.
 */
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LibraryEntry } from '../../../shared/api';
import type { EvaluationState } from '../../../shared/evaluation';
import { errorText } from '../hooks';
import { useStation } from '../station-state';

const EvaluationPanel = lazy(() => import('./EvaluationPanel'));

/** Detection models that can run (undescribed ones too: the run says if they fail). */
function evaluable(e: LibraryEntry): boolean {
  return e.path !== null && e.error === null && (e.task === 'detect' || e.pending === true);
}

/** The same file name in two folders (e.g. the demo model and a copy) is told apart by its folder. */
function labelled(entries: LibraryEntry[]): { path: string; label: string }[] {
  const count = new Map<string, number>();
  for (const e of entries) count.set(e.name, (count.get(e.name) ?? 0) + 1);
  return entries.map((e) => ({
    path: e.id,
    label: count.get(e.name)! > 1 ? `${e.name} (${e.location})` : e.name,
  }));
}

export function EvaluationTab() {
  const { t } = useTranslation();
  const { view, client } = useStation();
  const [library, setLibrary] = useState<LibraryEntry[]>([]);
  const [run, setRun] = useState<EvaluationState | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let disposed = false;
    const fail = (e: unknown): void => {
      if (!disposed) setError(errorText(e));
    };
    const loadLibrary = (): void => {
      client.listModels().then((l) => !disposed && setLibrary(l), fail);
    };
    loadLibrary();
    client.getEvaluation().then((s) => !disposed && setRun(s), fail);
    const offs = [
      client.subscribe('evaluation', setRun),
      client.subscribe('library', (p) => {
        if (!p.running) loadLibrary();
      }),
    ];
    return () => {
      disposed = true;
      for (const off of offs) off();
    };
  }, [client]);

  const runError =
    run?.state === 'failed' ? run.error : run?.state === 'cancelled' ? t('eval.cancelled') : null;
  return (
    <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
      <EvaluationPanel
        datasets={run?.dataPath ? [{ path: run.dataPath, label: run.dataPath }] : []}
        models={labelled(library.filter(evaluable))}
        running={run?.state === 'running'}
        progress={run?.progress ?? null}
        results={run?.results ?? null}
        error={error ?? runError}
        activeModelPath={view.model?.active?.path ?? null}
        onStart={(req) => {
          setError(null);
          client
            .startEvaluation({ dataPath: req.dataPath, modelIds: req.modelPaths })
            .then(setRun, (e: unknown) => setError(errorText(e)));
        }}
        onCancel={() => {
          client.cancelEvaluation().then(setRun, (e: unknown) => setError(errorText(e)));
        }}
        onActivateModel={(id) => {
          setError(null);
          // The model status event shows the new active model; a refusal is shown here.
          client.swapModel({ id }).catch((e: unknown) => setError(errorText(e)));
        }}
      />
    </Suspense>
  );
}

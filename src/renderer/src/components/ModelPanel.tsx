import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LibraryEntry, LibraryProgress } from '../../../shared/api';
import type { ModelInfo } from '../../../shared/detection';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';
import { CpuThreadsDetail } from './CpuThreadsDetail';

function ModelDetails({ info }: { info: ModelInfo }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <dl className="details" data-testid="model-details">
      <dt>{t('model.name')}</dt>
      <dd data-testid="model-active-name">{info.name}</dd>
      <dt>{t('model.family')}</dt>
      <dd>{info.family}</dd>
      <dt>{t('model.task')}</dt>
      <dd>{t(`model.taskName.${info.task}`)}</dd>
      <dt>{t('model.input')}</dt>
      <dd>{info.inputWidth > 0 ? `${info.inputWidth}×${info.inputHeight}` : t('model.anySize')}</dd>
      <dt>{t('model.provider')}</dt>
      <dd data-testid="model-provider">
        {info.provider.toUpperCase()}
        {info.providerFallbacks.map((fb) => (
          <div key={fb.provider} className="muted small">
            {t('model.fallback', { provider: fb.provider.toUpperCase(), reason: fb.reason })}
          </div>
        ))}
      </dd>
      <dt>{t('model.loadTime')}</dt>
      <dd>
        {f.ms(info.loadMs)} / {t('model.warmup')} {f.ms(info.warmupMs)}
      </dd>
      {info.cpuThreads && (
        <CpuThreadsDetail threads={info.cpuThreads} parallelFrames={info.parallelFrames ?? 1} />
      )}
      <dt>{t('model.classes', { n: info.classNames.length })}</dt>
      <dd className="class-list">{info.classNames.join(', ') || '–'}</dd>
      {info.licence && (
        <>
          <dt>{t('model.licence')}</dt>
          <dd>{info.licence}</dd>
        </>
      )}
      {info.path && (
        <>
          <dt>{t('model.path')}</dt>
          <dd className="mono small">{info.path}</dd>
        </>
      )}
    </dl>
  );
}

export function ModelPanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const { view, client } = useStation();
  const [library, setLibrary] = useState<LibraryEntry[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [swapError, setSwapError] = useState<string | null>(null);
  const [requested, setRequested] = useState<string | null>(null);
  const model = view.model;
  const active = model?.active ?? null;
  const loading = model?.state === 'loading' || requested !== null;

  const refresh = useCallback(() => {
    setListError(null);
    client.listModels().then(setLibrary, (e: unknown) => setListError(errorText(e)));
  }, [client]);
  useEffect(() => {
    if (view.connection.kind === 'open') refresh();
  }, [refresh, view.connection.kind]);
  // The station describes new models in the background: list again as each one is done.
  const [progress, setProgress] = useState<LibraryProgress | null>(null);
  useEffect(
    () =>
      client.subscribe('library', (p) => {
        setProgress(p);
        refresh();
      }),
    [client, refresh],
  );
  const describing = progress?.running || (library?.some((e) => e.pending) ?? false);

  const swap = (entry: LibraryEntry) => {
    setSwapError(null);
    setRequested(entry.id);
    client.swapModel({ id: entry.id }).then(
      () => setRequested(null),
      (e: unknown) => {
        setRequested(null);
        setSwapError(errorText(e)); // names the model and says the previous one still runs
      },
    );
  };

  const isActive = (e: LibraryEntry) =>
    !!active &&
    ((e.path !== null && e.path === active.path) || (e.id === 'classic' && active.family === 'classic'));
  const loadingId = model?.loadingId ?? requested;

  return (
    <div className="panel" data-testid="model-panel">
      <h3>{t('model.active')}</h3>
      {active ? <ModelDetails info={active} /> : <p className="muted">{t('model.none')}</p>}
      {loading && (
        <div className="progress-box" data-testid="model-loading">
          <div className="spinner" />
          <div>
            {t('model.loadingId', { id: library?.find((e) => e.id === loadingId)?.name ?? loadingId ?? '' })}
            {model?.message && <div className="muted small">{model.message}</div>}
            <div className="muted small">{t('model.oldKeepsRunning')}</div>
          </div>
        </div>
      )}
      {(swapError || (model?.state === 'failed' && model.message)) && (
        <div className="error-box" role="alert" data-testid="model-error">
          {swapError ?? model?.message}
        </div>
      )}
      <div className="row-between">
        <h3>{t('model.library')}</h3>
        <button onClick={refresh} data-testid="model-refresh">
          {t('common.refresh')}
        </button>
      </div>
      {listError && <div className="error-box">{listError}</div>}
      {!library && !listError && <p className="muted">{t('common.loading')}</p>}
      {describing && (
        <div
          className="progress-box"
          data-testid="library-progress"
          data-described={progress?.described ?? 0}
        >
          <span className="spinner" />
          {t('library.described', {
            k: progress?.described ?? 0,
            n: progress?.total ?? library?.filter((e) => e.pending).length ?? 0,
          })}
        </div>
      )}
      <ul className="library" data-testid="model-library">
        {library &&
          [...library.filter((e) => !e.error), ...library.filter((e) => e.error)].map((e) => {
            const act = isActive(e);
            return (
              <li
                key={e.id}
                className={`lib-entry${act ? ' active' : ''}${e.error ? ' broken' : ''}`}
                data-testid="model-entry"
                data-model-id={e.id}
                data-model-name={e.name}
                data-active={act}
                data-error={e.error ? 'true' : 'false'}
              >
                <div className="lib-main">
                  <div className="lib-name">
                    {e.name}
                    {act && <span className="pill ok">{t('model.inUse')}</span>}
                  </div>
                  <div className="muted small">
                    {t(`model.location.${e.location}`)}
                    {e.sizeBytes > 0 ? ` · ${f.bytes(e.sizeBytes)}` : ''}
                    {e.info
                      ? ` · ${e.info.family} · ${t(`model.taskName.${e.info.task}`)} · ${e.info.inputWidth}×${e.info.inputHeight} · ${t('model.classes', { n: e.info.classNames.length })}`
                      : ''}
                  </div>
                  {e.pending && <div className="muted small">{t('library.pending')}</div>}
                  {e.error && (
                    <div className="lib-error" data-testid="model-entry-error">
                      {e.error}
                    </div>
                  )}
                </div>
                <button
                  className="primary"
                  data-testid="model-swap"
                  disabled={act || !!e.error || loading}
                  onClick={() => swap(e)}
                >
                  {loadingId === e.id ? t('model.loading') : t('model.use')}
                </button>
              </li>
            );
          })}
      </ul>
    </div>
  );
}

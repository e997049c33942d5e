import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TuningParams } from '../../../shared/api';
import { sameParams, useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';

function Slider(props: {
  testId: string;
  label: string;
  help: string;
  value: number;
  changed: boolean;
  onChange: (v: number) => void;
}) {
  const f = useFormat();
  return (
    <label className={`slider${props.changed ? ' changed' : ''}`}>
      <div className="row-between">
        <span className="slider-label">{props.label}</span>
        <span className="slider-value" data-testid={`${props.testId}-value`}>
          {f.num(props.value, 2)}
        </span>
      </div>
      <input
        type="range"
        min={0}
        max={1}
        step={0.01}
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      <div className="muted small">{props.help}</div>
    </label>
  );
}

/**
 * Thresholds as a draft: nothing reaches production until Apply; Revert drops the draft; "Restore
 * last applied" puts back the values in force before the last Apply (kept on the station, so it
 * survives a reload).
 */
export function TuningPanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const { view, client, patch } = useStation();
  const server = view.params;
  const [draft, setDraft] = useState<TuningParams | null>(server);
  const [state, setState] = useState<'idle' | 'sending' | 'saved' | 'error'>('idle');
  const [error, setError] = useState<string | null>(null);
  const dirty = draft !== null && server !== null && !sameParams(draft, server);

  // Follow the running values while there is no draft (first load, another screen's change).
  const [base, setBase] = useState<TuningParams | null>(server);
  useEffect(() => {
    if (server && (base === null || !sameParams(base, server))) {
      if (draft === null || base === null || sameParams(draft, base)) setDraft(server);
      setBase(server);
    }
  }, [server, base, draft]);

  const edit = (change: Partial<TuningParams>) => {
    setDraft((d) => (d ? { ...d, ...change } : d));
    setState('idle');
  };

  const run = (p: Promise<void>) => {
    setState('sending');
    p.then(
      () => {
        setState('saved');
        setError(null);
      },
      (e: unknown) => {
        setState('error');
        setError(errorText(e));
      },
    );
  };

  const apply = () => {
    if (!draft || !server) return;
    const before = server;
    run(
      client.setParams(draft).then((params) => {
        patch({ params, previousParams: before });
        setBase(params);
        setDraft(params);
      }),
    );
  };

  const restore = () =>
    run(
      client.restoreParams().then(({ params, previousParams }) => {
        patch({ params, previousParams });
        setBase(params);
        setDraft(params);
      }),
    );

  if (!draft || !server) return <p className="muted">{t('common.loading')}</p>;
  const names = view.classNames;
  const kept = draft.classFilter;
  const isKept = (id: number) => kept === null || kept.includes(id);
  const toggleClass = (id: number) => {
    const current = kept ?? names.map((_, i) => i);
    const next = current.includes(id)
      ? current.filter((x) => x !== id)
      : [...current, id].sort((a, b) => a - b);
    edit({ classFilter: next.length === names.length ? null : next });
  };
  const previous = view.previousParams;

  return (
    <div className="panel" data-testid="tuning-panel" data-dirty={dirty}>
      <Slider
        testId="conf-slider"
        label={t('tuning.conf')}
        help={t('tuning.confHelp')}
        value={draft.confThreshold}
        changed={draft.confThreshold !== server.confThreshold}
        onChange={(v) => edit({ confThreshold: v })}
      />
      <Slider
        testId="iou-slider"
        label={t('tuning.iou')}
        help={t('tuning.iouHelp')}
        value={draft.iouThreshold}
        changed={draft.iouThreshold !== server.iouThreshold}
        onChange={(v) => edit({ iouThreshold: v })}
      />
      <div className="draft-bar">
        <button
          className="primary"
          data-testid="tuning-apply"
          disabled={!dirty || state === 'sending'}
          onClick={apply}
        >
          {t('draft.apply')}
        </button>
        <button data-testid="tuning-revert" disabled={!dirty} onClick={() => setDraft(server)}>
          {t('draft.revert')}
        </button>
        <button
          data-testid="tuning-restore"
          disabled={previous === null || dirty || state === 'sending'}
          title={t('draft.restoreHelp')}
          onClick={restore}
        >
          {t('draft.restore')}
        </button>
      </div>
      <div className="save-state" data-testid="tuning-state" data-state={dirty ? 'draft' : state}>
        {dirty
          ? t('draft.changed')
          : state === 'sending'
            ? t('tuning.sending')
            : state === 'saved'
              ? t('tuning.saved')
              : state === 'error'
                ? error
                : t('draft.hint')}
      </div>
      <div className="muted small" data-testid="tuning-running">
        {t('draft.running', { conf: f.num(server.confThreshold, 2), iou: f.num(server.iouThreshold, 2) })}
      </div>
      <div className="row-between">
        <h3>
          {t('tuning.classFilter')}{' '}
          <span className="muted small">
            {kept === null
              ? t('tuning.allClasses')
              : t('tuning.someClasses', { n: kept.length, of: names.length })}
          </span>
        </h3>
        <div className="btn-group">
          <button data-testid="class-all" onClick={() => edit({ classFilter: null })}>
            {t('tuning.all')}
          </button>
          <button data-testid="class-none" onClick={() => edit({ classFilter: [] })}>
            {t('tuning.none')}
          </button>
        </div>
      </div>
      <div className="class-grid" data-testid="class-filter">
        {names.map((n, i) => (
          <label key={`${i}-${n}`} className={`chip${isKept(i) ? ' on' : ''}`}>
            <input
              type="checkbox"
              checked={isKept(i)}
              onChange={() => toggleClass(i)}
              data-testid={`class-${i}`}
            />
            {n}
          </label>
        ))}
        {names.length === 0 && <span className="muted">{t('tuning.noClasses')}</span>}
      </div>
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TuningParams } from '../../../shared/api';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';

const SEND_AFTER_MS = 150;

function Slider(props: {
  testId: string;
  label: string;
  help: string;
  value: number;
  onChange: (v: number) => void;
}) {
  const f = useFormat();
  return (
    <label className="slider">
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

export function TuningPanel() {
  const { t } = useTranslation();
  const { view, client, patch } = useStation();
  const server = view.params;
  const [draft, setDraft] = useState<TuningParams | null>(server);
  const [state, setState] = useState<'idle' | 'sending' | 'saved' | 'error'>('idle');
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef<Partial<TuningParams>>({});

  // Follow the server unless the user has a change on its way.
  useEffect(() => {
    if (server && Object.keys(pending.current).length === 0 && state !== 'sending') setDraft(server);
  }, [server, state]);

  const send = (change: Partial<TuningParams>) => {
    setDraft((d) => (d ? { ...d, ...change } : d));
    pending.current = { ...pending.current, ...change };
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const req = pending.current;
      pending.current = {};
      setState('sending');
      client.setParams(req).then(
        (params) => {
          patch({ params });
          setState('saved');
          setError(null);
        },
        (e: unknown) => {
          setState('error');
          setError(errorText(e));
        },
      );
    }, SEND_AFTER_MS);
  };

  if (!draft) return <p className="muted">{t('common.loading')}</p>;
  const names = view.classNames;
  const kept = draft.classFilter;
  const isKept = (id: number) => kept === null || kept.includes(id);
  const toggleClass = (id: number) => {
    const current = kept ?? names.map((_, i) => i);
    const next = current.includes(id)
      ? current.filter((x) => x !== id)
      : [...current, id].sort((a, b) => a - b);
    send({ classFilter: next.length === names.length ? null : next });
  };

  return (
    <div className="panel" data-testid="tuning-panel">
      <Slider
        testId="conf-slider"
        label={t('tuning.conf')}
        help={t('tuning.confHelp')}
        value={draft.confThreshold}
        onChange={(v) => send({ confThreshold: v })}
      />
      <Slider
        testId="iou-slider"
        label={t('tuning.iou')}
        help={t('tuning.iouHelp')}
        value={draft.iouThreshold}
        onChange={(v) => send({ iouThreshold: v })}
      />
      <div className="save-state" data-testid="tuning-state" data-state={state}>
        {state === 'sending'
          ? t('tuning.sending')
          : state === 'saved'
            ? t('tuning.saved')
            : state === 'error'
              ? error
              : t('tuning.liveHint')}
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
          <button data-testid="class-all" onClick={() => send({ classFilter: null })}>
            {t('tuning.all')}
          </button>
          <button data-testid="class-none" onClick={() => send({ classFilter: [] })}>
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

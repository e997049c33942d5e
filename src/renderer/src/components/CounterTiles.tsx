import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineCount } from '../../../shared/frame';
import { ConfirmDialog } from './ConfirmDialog';

/**
 * One large tile per counting line (in / out, readable from across the cell), and a reset that
 * asks first: zeroing the counters cannot be undone and the PLC sees it too.
 */
export function CounterTiles(props: { counts: readonly LineCount[]; onReset?: () => void }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  if (props.counts.length === 0)
    return (
      <p className="muted" data-testid="counter-tiles-empty">
        {t('counters.none', { defaultValue: 'No counting lines. Draw one on the picture.' })}
      </p>
    );
  return (
    <section className="counter-tiles" data-testid="counter-tiles">
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.75rem' }}>
        {props.counts.map((c) => (
          <div
            key={c.line}
            className="counter-tile"
            data-testid={`counter-${c.line}`}
            style={{ minWidth: '10rem' }}
          >
            <div className="counter-name" style={{ fontSize: '1.1rem', fontWeight: 600 }}>
              {c.line}
            </div>
            <div style={{ display: 'flex', gap: '1.5rem' }}>
              <div>
                <div className="muted small">{t('counters.in', { defaultValue: 'in' })}</div>
                <div
                  className="num"
                  data-testid={`counter-${c.line}-in`}
                  style={{ fontSize: '2.6rem', fontWeight: 700 }}
                >
                  {c.in}
                </div>
              </div>
              <div>
                <div className="muted small">{t('counters.out', { defaultValue: 'out' })}</div>
                <div
                  className="num"
                  data-testid={`counter-${c.line}-out`}
                  style={{ fontSize: '2.6rem', fontWeight: 700 }}
                >
                  {c.out}
                </div>
              </div>
            </div>
          </div>
        ))}
      </div>
      {props.onReset && (
        <button className="danger" data-testid="counters-reset" onClick={() => setConfirming(true)}>
          {t('counters.reset', { defaultValue: 'Reset counters' })}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('counters.resetTitle', { defaultValue: 'Reset all counters to 0?' })}
          confirmLabel={t('counters.reset', { defaultValue: 'Reset counters' })}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            props.onReset?.();
          }}
        >
          {t('counters.resetBody', {
            defaultValue:
              'Every line starts again from 0, on this screen and in the PLC. This cannot be undone.',
          })}
        </ConfirmDialog>
      )}
    </section>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alarm } from '../../../shared/api';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';

function order(a: Alarm, b: Alarm): number {
  const rank = (x: Alarm) => (x.acknowledged ? 2 : 0) + (x.active ? 0 : 1);
  return rank(a) - rank(b) || b.raisedAtMs - a.raisedAtMs;
}

export function AlarmsPanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const { view, client, patch } = useStation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const alarms = [...view.alarms].sort(order);

  const ack = (id: number) => {
    setBusy(id);
    setError(null);
    client.acknowledgeAlarm({ id }).then(
      (alarms) => {
        patch({ alarms });
        setBusy(null);
      },
      (e: unknown) => {
        setError(errorText(e));
        setBusy(null);
      },
    );
  };

  return (
    <div className="panel" data-testid="alarms-panel">
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      {alarms.length === 0 && <p className="muted">{t('alarms.none')}</p>}
      <ul className="alarm-list">
        {alarms.map((a) => (
          <li
            key={a.id}
            className={`alarm${a.active ? ' active' : ''}${a.acknowledged ? ' acked' : ''}`}
            data-testid={`alarm-${a.id}`}
            data-kind={a.kind}
            data-active={a.active}
            data-acknowledged={a.acknowledged}
          >
            <div className="alarm-main">
              <div className="alarm-kind">{t(`alarmKind.${a.kind}`)}</div>
              <div className="alarm-msg">{a.message}</div>
              <div className="alarm-meta">
                {f.dateTime(a.raisedAtMs)} · {a.active ? t('alarms.active') : t('alarms.cleared')}
                {a.acknowledged ? ` · ${t('alarms.acknowledged')}` : ''}
              </div>
            </div>
            {!a.acknowledged && (
              <button
                className="primary"
                data-testid={`alarm-ack-${a.id}`}
                disabled={busy === a.id}
                onClick={() => ack(a.id)}
              >
                {t('alarms.acknowledge')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alarm } from '../../../shared/api';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';
import { useMessageText } from '../alarm-text';
import { journalCsv, type JournalRow } from '../../../shared/alarm-journal';
import { ALARM_SEVERITY } from '../../../shared/verdict';
import type { AlarmKind } from '../../../shared/api';

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
  const msg = useMessageText();

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
              <div className="alarm-msg">{msg(a.message)}</div>
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
      <AlarmJournal />
    </div>
  );
}

const KINDS = Object.keys(ALARM_SEVERITY) as AlarmKind[];

/** The journal on the station's disk: every alarm with raise, clear and acknowledge times. */
function AlarmJournal() {
  const { t } = useTranslation();
  const f = useFormat();
  const msg = useMessageText();
  const { view, client } = useStation();
  const [rows, setRows] = useState<JournalRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<AlarmKind | 'all'>('all');
  const [openOnly, setOpenOnly] = useState(false);

  // Reloaded whenever the live list changes (a raise, clear or acknowledgement was journalled).
  useEffect(() => {
    let alive = true;
    client.getAlarmJournal().then(
      (r) => alive && (setRows(r), setError(null)),
      (e: unknown) => alive && setError(errorText(e)),
    );
    return () => {
      alive = false;
    };
  }, [client, view.alarms]);

  const shown = (rows ?? []).filter(
    (r) => (kind === 'all' || r.kind === kind) && (!openOnly || r.clearedAtMs === null),
  );
  const exportCsv = () => {
    const url = URL.createObjectURL(new Blob([journalCsv(shown)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `alarm-journal-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const dur = (r: JournalRow) =>
    r.clearedAtMs === null ? null : f.num((r.clearedAtMs - r.raisedAtMs) / 1000, 0) + ' s';

  return (
    <section className="journal" data-testid="alarm-journal">
      <h3>{t('journal.title')}</h3>
      <div className="form-row">
        <select
          data-testid="journal-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as AlarmKind | 'all')}
          aria-label={t('journal.title')}
        >
          <option value="all">{t('journal.filterAll')}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`alarmKind.${k}`)}
            </option>
          ))}
        </select>
        <label className={`toggle${openOnly ? ' on' : ''}`}>
          <input
            type="checkbox"
            data-testid="journal-active"
            checked={openOnly}
            onChange={() => setOpenOnly((v) => !v)}
          />
          {t('journal.filterActive')}
        </label>
        <button data-testid="journal-export" disabled={shown.length === 0} onClick={exportCsv}>
          {t('journal.exportCsv')}
        </button>
      </div>
      {error && <div className="error-box">{error}</div>}
      {rows !== null && shown.length === 0 && <p className="muted">{t('journal.empty')}</p>}
      <ul className="journal-list">
        {shown.slice(0, 200).map((r) => (
          <li
            key={r.key}
            className="journal-row"
            data-testid="journal-row"
            data-journal-kind={r.kind}
            data-raised={r.raisedAtMs}
            data-cleared={r.clearedAtMs ?? ''}
            data-acknowledged={r.acknowledgedAtMs ?? ''}
            data-by={r.acknowledgedBy ?? ''}
          >
            <div className="alarm-kind">{t(`alarmKind.${r.kind}`)}</div>
            <div className="alarm-msg">{msg(r.message)}</div>
            <div className="alarm-meta">
              {t('journal.raised', { t: f.dateTime(r.raisedAtMs) })}
              {r.clearedAtMs !== null &&
                ` · ${t('journal.clearedAt', { t: f.dateTime(r.clearedAtMs) })} · ${t('journal.duration', { d: dur(r) })}`}
              {r.acknowledgedAtMs !== null &&
                ` · ${t('journal.ackBy', { t: f.dateTime(r.acknowledgedAtMs), who: r.acknowledgedBy ?? '–' })}`}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineCount } from '../../../shared/frame';
import { shiftCountsCsv, type ShiftCountsView } from '../../../shared/shift-counts';
import { errorText } from '../hooks';
import { useStation } from '../station-state';

/** Rows drawn at most (the CSV has them all). */
const MAX_ROWS_SHOWN = 60;
/** Asked again at most this often while parts are counted, and at least this often otherwise. */
const REFRESH_AFTER_COUNT_MS = 1_000;
const REFRESH_IDLE_MS = 60_000;

/**
 * Part counts per shift, counting line and class, kept on the station (newest shift first), with
 * the shift running now and a CSV export. `counts` (the live counters) only says when to ask again.
 */
export function ShiftCountsPanel(props: { counts: readonly LineCount[] }) {
  const { t, i18n } = useTranslation();
  const { client } = useStation();
  const [view, setView] = useState<ShiftCountsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const countsKey = props.counts.map((c) => `${c.line}:${c.in}:${c.out}`).join(',');
  const loaded = useRef(false);

  useEffect(() => {
    let alive = true;
    const load = () =>
      client.getShiftCounts().then(
        (v) => alive && ((loaded.current = true), setView(v), setError(null)),
        (e: unknown) => alive && setError(errorText(e)),
      );
    const soon = setTimeout(load, loaded.current ? REFRESH_AFTER_COUNT_MS : 0);
    const idle = setInterval(load, REFRESH_IDLE_MS);
    return () => {
      alive = false;
      clearTimeout(soon);
      clearInterval(idle);
    };
  }, [client, countsKey]);

  const time = useMemo(
    () =>
      new Intl.DateTimeFormat(i18n.language, {
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone: view?.timeZone,
      }),
    [i18n.language, view?.timeZone],
  );

  // The schedule as one line an engineer can type: "Early 06:00, Late 14:00, Night 22:00".
  const [editing, setEditing] = useState<string | null>(null);
  const [zone, setZone] = useState('');
  const startEdit = () => {
    if (!view) return;
    setEditing(view.schedule.shifts.map((x) => `${x.name} ${x.start}`).join(', '));
    setZone(view.schedule.timeZone ?? '');
  };
  const applySchedule = () => {
    if (editing === null) return;
    const shifts = editing
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .map((part) => {
        const at = part.lastIndexOf(' ');
        return at < 0
          ? { name: part, start: '' }
          : { name: part.slice(0, at).trim(), start: part.slice(at + 1) };
      });
    // The station checks the schedule (names, HH:MM, order, time zone) and says what is wrong.
    client.setShiftSchedule({ shifts, timeZone: zone.trim() === '' ? null : zone.trim() }).then(
      (v) => (setView(v), setEditing(null), setError(null)),
      (e: unknown) => setError(errorText(e)),
    );
  };

  const exportCsv = () => {
    if (!view) return;
    const url = URL.createObjectURL(new Blob([shiftCountsCsv(view.rows)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `shift-counts-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section className="shift-counts" data-testid="shift-counts">
      <h3>{t('shifts.title')}</h3>
      {view && (
        <p className="muted small" data-testid="shift-current">
          {t('shifts.current', {
            shift: view.current.shift,
            from: time.format(view.current.startMs),
            to: time.format(view.current.endMs),
          })}
          {' · '}
          {t('shifts.schedule')}: {view.schedule.shifts.map((s) => `${s.name} ${s.start}`).join(', ')}
          {' · '}
          {t('shifts.timeZone')}: {view.timeZone}
        </p>
      )}
      <div className="form-row">
        <button data-testid="shift-export" disabled={!view || view.rows.length === 0} onClick={exportCsv}>
          {t('shifts.exportCsv')}
        </button>
        {editing === null && (
          <button data-testid="shift-edit" disabled={!view} onClick={startEdit}>
            {t('shifts.edit')}
          </button>
        )}
      </div>
      {editing !== null && (
        <div className="form-row wrap" data-testid="shift-editor">
          <label>
            {t('shifts.schedule')}{' '}
            <input
              data-testid="shift-schedule-input"
              value={editing}
              placeholder="Early 06:00, Late 14:00, Night 22:00"
              onChange={(e) => setEditing(e.target.value)}
            />
          </label>
          <label>
            {t('shifts.timeZone')}{' '}
            <input
              data-testid="shift-zone-input"
              value={zone}
              placeholder={t('shifts.stationZone')}
              onChange={(e) => setZone(e.target.value)}
            />
          </label>
          <button className="primary" data-testid="shift-apply" onClick={applySchedule}>
            {t('common.apply')}
          </button>
          <button data-testid="shift-cancel" onClick={() => (setEditing(null), setError(null))}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      {view && view.rows.length === 0 && (
        <p className="muted" data-testid="shift-empty">
          {t('shifts.none')}
        </p>
      )}
      {view && view.rows.length > 0 && (
        <table className="crossings" data-testid="shift-table">
          <thead>
            <tr>
              <th>{t('shifts.day')}</th>
              <th>{t('shifts.shift')}</th>
              <th>{t('shifts.line')}</th>
              <th>{t('shifts.class')}</th>
              <th>{t('shifts.in')}</th>
              <th>{t('shifts.out')}</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.slice(0, MAX_ROWS_SHOWN).map((r) => (
              <tr key={`${r.day}/${r.shift}/${r.line}/${r.className}`} data-testid="shift-row">
                <td className="num">{r.day}</td>
                <td>{r.shift}</td>
                <td>{r.line}</td>
                <td>{r.className}</td>
                <td className="num">{r.in}</td>
                <td className="num">{r.out}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

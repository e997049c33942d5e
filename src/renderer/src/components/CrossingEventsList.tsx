import { useTranslation } from 'react-i18next';
import type { CrossingEvent } from '../../../shared/crossing-log';

/** The most recent crossings, newest first: time, line, track and direction. */
export function CrossingEventsList(props: { events: readonly CrossingEvent[]; limit?: number }) {
  const { t, i18n } = useTranslation();
  const shown = props.events.slice(0, props.limit ?? 50);
  if (shown.length === 0)
    return (
      <p className="muted" data-testid="crossings-empty">
        {t('crossings.none', { defaultValue: 'No crossings yet.' })}
      </p>
    );
  const time = new Intl.DateTimeFormat(i18n.language, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (
    <table className="crossings" data-testid="crossings">
      <thead>
        <tr>
          <th>{t('crossings.time', { defaultValue: 'Time' })}</th>
          <th>{t('crossings.line', { defaultValue: 'Line' })}</th>
          <th>{t('crossings.track', { defaultValue: 'Track' })}</th>
          <th>{t('crossings.direction', { defaultValue: 'Direction' })}</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((e) => (
          <tr key={`${e.frameId}-${e.line}-${e.trackId}-${e.direction}`}>
            <td className="num">{time.format(e.captureTimeMs)}</td>
            <td>{e.line}</td>
            <td className="num">#{e.trackId}</td>
            <td>
              {e.direction === 'in'
                ? t('counters.in', { defaultValue: 'in' })
                : t('counters.out', { defaultValue: 'out' })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

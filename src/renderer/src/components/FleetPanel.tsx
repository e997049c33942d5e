import { useTranslation } from 'react-i18next';
import type { FleetStation } from '../../../shared/fleet';
import { useFormat } from '../format';

export interface FleetPanelProps {
  /** Stations as the fleet watcher lists them (sorted by name, stale already marked). */
  stations: readonly FleetStation[];
  /** Clock for "last seen" (ms since the epoch); the caller ticks it. */
  nowMs: number;
  /** Why the broker cannot be watched, or null. */
  error?: string | null;
}

const PILL: Record<FleetStation['state'], string> = {
  online: 'pill ok',
  stale: 'pill warn',
  offline: 'pill bad',
};

/** Read-only list of the stations that publish to the same MQTT broker. */
export function FleetPanel({ stations, nowMs, error = null }: FleetPanelProps) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className="panel" data-testid="fleet-panel">
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      {stations.length === 0 && !error && <p className="muted">{t('fleet.none')}</p>}
      {stations.length > 0 && (
        <table className="data" data-testid="fleet-table">
          <thead>
            <tr>
              <th>{t('fleet.station')}</th>
              <th>{t('fleet.state')}</th>
              <th>{t('fleet.cameras')}</th>
              <th className="num">{t('fleet.fps')}</th>
              <th>{t('fleet.alarms')}</th>
              <th>{t('fleet.lastSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {stations.map((s) => (
              <tr key={s.name} data-testid={`fleet-${s.name}`} data-state={s.state}>
                <td>{s.name}</td>
                <td>
                  {/* A deliberate stop is news, not trouble: only a lost station is red. */}
                  <span className={s.offlineReason === 'stopped' ? 'pill' : PILL[s.state]}>
                    {s.state === 'offline' && s.offlineReason === 'lost'
                      ? t('fleet.lost')
                      : t(`fleet.stateName.${s.state}`)}
                  </span>
                </td>
                <td>{s.cameras.join(', ')}</td>
                <td className="num">{s.state === 'offline' ? '—' : f.num(s.fps, 1)}</td>
                <td>
                  {s.alarms.length === 0 ? '—' : s.alarms.map((a) => t(`alarmKind.${a}`, a)).join(', ')}
                </td>
                <td title={f.dateTime(s.lastSeenMs)}>{f.ago(s.lastSeenMs, nowMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

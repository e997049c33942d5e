import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FleetView } from '../../../shared/integration';
import { useStation } from '../station-state';
import { useNow } from '../hooks';
import { FleetPanel } from './FleetPanel';
import './integration.css';

/**
 * The Fleet tab: the stations publishing to the broker this station publishes to (MQTT in the
 * Integration settings), read-only. Fetched once, then kept current by `fleet` pushes.
 */
export function FleetTab() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [fleet, setFleet] = useState<FleetView | null>(null);
  const nowMs = useNow(1000);
  useEffect(() => {
    let live = true;
    client.getFleet().then(
      (f) => live && setFleet(f),
      () => undefined, // the pushes below still fill it in
    );
    const off = client.subscribe('fleet', (f) => setFleet(f));
    return () => {
      live = false;
      off();
    };
  }, [client]);
  if (!fleet) return <p className="muted">{t('common.loading')}</p>;
  if (fleet.watching === null)
    return (
      <div className="panel" data-testid="fleet-tab">
        <p className="muted" data-testid="fleet-off">
          {t('fleet.off')}
        </p>
      </div>
    );
  return (
    <div className="panel fleet-tab" data-testid="fleet-tab">
      <dl className="details">
        <dt>{t('fleet.watching')}</dt>
        <dd className="mono" data-testid="fleet-watching">
          {fleet.watching}
        </dd>
        {fleet.self && (
          <>
            <dt>{t('fleet.self')}</dt>
            <dd className="mono">{fleet.self}</dd>
          </>
        )}
      </dl>
      {/* Receive times are the station's clock: never show one as in the future ("in 0.1 s"). */}
      <FleetPanel
        stations={fleet.stations}
        nowMs={Math.max(nowMs, ...fleet.stations.map((s) => s.lastSeenMs))}
        error={fleet.error}
      />
    </div>
  );
}

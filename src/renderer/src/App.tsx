import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Station } from './api-client';
import { StationProvider, useStation } from './station-state';
import { StatusBar } from './components/StatusBar';
import { LiveView } from './components/LiveView';
import { AlarmsPanel } from './components/AlarmsPanel';
import { ModelPanel } from './components/ModelPanel';
import { TuningPanel } from './components/TuningPanel';
import { SourcePanel } from './components/SourcePanel';
import { PlcPanel } from './components/PlcPanel';
import { SettingsPanel } from './components/SettingsPanel';
import { EvaluationTab } from './components/EvaluationTab';
import { TrackingPanel } from './components/TrackingPanel';
import { ReviewTab } from './components/ReviewTab';
import { FleetTab } from './components/FleetTab';
import { CamerasTab } from './components/CamerasTab';
import { isTyping } from './components/LiveView';
import { useScreenLocale } from './screen-locale';
import { stationVerdict } from '../../shared/verdict';
import { CommissioningTab } from './components/commissioning/CommissioningTab';
import { SessionBar, SessionProvider } from './components/commissioning/session';

// recharts is the largest dependency: load it with the panel that uses it.
const PerformancePanel = lazy(() => import('./components/PerformancePanel'));

const TABS = [
  'performance',
  'alarms',
  'model',
  'tuning',
  'source',
  'plc',
  'counting',
  'settings',
  'evaluation',
  'review',
  'commissioning',
  'fleet',
  'cameras',
] as const;
type Tab = (typeof TABS)[number];

function Shell() {
  const { t, i18n } = useTranslation();
  const { view, client, patch } = useStation();
  const [tab, setTab] = useState<Tab>('performance');
  const screenLocale = useScreenLocale();
  const locale = screenLocale ?? view.ui?.locale;

  useEffect(() => {
    if (locale && i18n.language !== locale) void i18n.changeLanguage(locale);
    document.documentElement.lang = locale ?? 'en';
  }, [locale, i18n]);

  const unacked = view.alarms.filter((a) => !a.acknowledged).length;

  // Shortcuts for a panel with a keyboard: T next tab, A acknowledge (F freeze is in LiveView).
  const alarmsRef = useRef(view.alarms);
  alarmsRef.current = view.alarms;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === 't') {
        e.preventDefault();
        setTab((cur) => TABS[(TABS.indexOf(cur) + (e.shiftKey ? TABS.length - 1 : 1)) % TABS.length]);
      } else if (key === 'a') {
        // The alarm the verdict names if it waits for an acknowledgement, else the newest waiting one.
        const alarms = alarmsRef.current;
        const cause = stationVerdict(alarms).cause;
        const target =
          cause && !cause.acknowledged
            ? cause
            : [...alarms].filter((a) => !a.acknowledged).sort((a, b) => b.raisedAtMs - a.raisedAtMs)[0];
        if (!target) return;
        e.preventDefault();
        client.acknowledgeAlarm({ id: target.id }).then(
          (list) => patch({ alarms: list }),
          () => undefined, // the alarm list shows the state; a refused acknowledgement changes nothing
        );
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client, patch]);

  return (
    <div className="app" data-locale={i18n.language}>
      <StatusBar onOpenTab={(name) => setTab(name as Tab)} />
      <SessionBar />
      {view.snapshotError && (
        <div className="banner bad" role="alert" data-testid="snapshot-error">
          {view.snapshotError}
        </div>
      )}
      <main className="workspace">
        <LiveView />
        <aside className="side">
          <nav className="tabs" role="tablist" data-testid="side-tabs">
            {TABS.map((name) => (
              <button
                key={name}
                role="tab"
                aria-selected={tab === name}
                className={tab === name ? 'active' : ''}
                data-testid={`tab-${name}`}
                onClick={() => setTab(name)}
              >
                {t(`tabs.${name}`)}
                {name === 'alarms' && unacked > 0 && <span className="count-badge">{unacked}</span>}
              </button>
            ))}
          </nav>
          <div className="tab-body" role="tabpanel" data-testid="tab-body">
            {tab === 'performance' && (
              <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
                <PerformancePanel />
              </Suspense>
            )}
            {tab === 'alarms' && <AlarmsPanel />}
            {tab === 'model' && <ModelPanel />}
            {tab === 'tuning' && <TuningPanel />}
            {tab === 'source' && <SourcePanel />}
            {tab === 'plc' && <PlcPanel />}
            {tab === 'settings' && <SettingsPanel />}
            {tab === 'evaluation' && <EvaluationTab />}
            {tab === 'counting' && <TrackingPanel />}
            {tab === 'review' && <ReviewTab />}
            {tab === 'commissioning' && <CommissioningTab />}
            {tab === 'fleet' && <FleetTab />}
            {tab === 'cameras' && <CamerasTab />}
          </div>
        </aside>
      </main>
    </div>
  );
}

export function App({ station }: { station: Station }) {
  return (
    <StationProvider station={station}>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </StationProvider>
  );
}

import { lazy, Suspense, useEffect, useState } from 'react';
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

// recharts is the largest dependency: load it with the panel that uses it.
const PerformancePanel = lazy(() => import('./components/PerformancePanel'));

const TABS = ['performance', 'alarms', 'model', 'tuning', 'source', 'plc', 'settings'] as const;
type Tab = (typeof TABS)[number];

function Shell() {
  const { t, i18n } = useTranslation();
  const { view } = useStation();
  const [tab, setTab] = useState<Tab>('performance');
  const locale = view.ui?.locale;

  useEffect(() => {
    if (locale && i18n.language !== locale) void i18n.changeLanguage(locale);
    document.documentElement.lang = locale ?? 'en';
  }, [locale, i18n]);

  const unacked = view.alarms.filter((a) => !a.acknowledged).length;

  return (
    <div className="app" data-locale={i18n.language}>
      <StatusBar onOpenTab={(name) => setTab(name as Tab)} />
      {view.snapshotError && (
        <div className="banner bad" role="alert" data-testid="snapshot-error">
          {view.snapshotError}
        </div>
      )}
      <main className="workspace">
        <LiveView />
        <aside className="side">
          <nav className="tabs" role="tablist">
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
          <div className="tab-body" role="tabpanel">
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
          </div>
        </aside>
      </main>
    </div>
  );
}

export function App({ station }: { station: Station }) {
  return (
    <StationProvider station={station}>
      <Shell />
    </StationProvider>
  );
}

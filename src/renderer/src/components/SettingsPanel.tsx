import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale, UiSettings } from '../../../shared/api';
import { useStation } from '../station-state';
import { errorText } from '../hooks';
import { setScreenLocale, useScreenLocale } from '../screen-locale';
import { IntegrationSettings } from './IntegrationSettings';

// The order shown; the type keeps it to the modes the station knows.
const LIVE_VIEW_MODES: UiSettings['liveViewMode'][] = ['inference-first', 'steady'];

const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'ko', label: '한국어' },
];

export function SettingsPanel() {
  const { t } = useTranslation();
  const { client, patch, view } = useStation();
  const screen = useScreenLocale();
  const stationLocale = view.ui?.locale ?? 'en';
  const [error, setError] = useState<string | null>(null);
  const liveViewMode = view.ui?.liveViewMode ?? 'inference-first';
  const save = (req: Partial<UiSettings>) => {
    setError(null);
    client.setUiSettings(req).then(
      (ui) => patch({ ui }),
      (e: unknown) => setError(errorText(e)),
    );
  };
  const choose = (locale: Locale) => save({ locale });
  return (
    <div className="panel" data-testid="settings-panel">
      <h3>{t('settings.language')}</h3>
      <div className="segmented big">
        {LOCALES.map((l) => (
          <button
            key={l.id}
            lang={l.id}
            data-testid={`locale-${l.id}`}
            className={stationLocale === l.id ? 'active' : ''}
            aria-pressed={stationLocale === l.id}
            onClick={() => choose(l.id)}
          >
            {l.label}
          </button>
        ))}
      </div>
      <p className="muted small">{t('settings.languageHelp')}</p>
      <h3>{t('screenLang.title')}</h3>
      <div className="segmented big">
        <button
          data-testid="screen-locale-default"
          className={screen === null ? 'active' : ''}
          aria-pressed={screen === null}
          onClick={() => setScreenLocale(null)}
        >
          {t('screenLang.stationDefault')}
        </button>
        {LOCALES.map((l) => (
          <button
            key={l.id}
            lang={l.id}
            data-testid={`screen-locale-${l.id}`}
            className={screen === l.id ? 'active' : ''}
            aria-pressed={screen === l.id}
            onClick={() => setScreenLocale(l.id)}
          >
            {l.label}
          </button>
        ))}
      </div>
      <p className="muted small">{t('screenLang.help')}</p>
      <h3>{t('settings.liveView')}</h3>
      <div className="segmented big">
        {LIVE_VIEW_MODES.map((m) => (
          <button
            key={m}
            data-testid={`live-view-mode-${m}`}
            className={liveViewMode === m ? 'active' : ''}
            aria-pressed={liveViewMode === m}
            onClick={() => save({ liveViewMode: m })}
          >
            {t(`settings.liveViewMode.${m}`)}
          </button>
        ))}
      </div>
      <p className="muted small">{t('settings.liveViewHelp')}</p>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      <IntegrationSettings />
    </div>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale } from '../../../shared/api';
import { useStation } from '../station-state';
import { errorText } from '../hooks';

const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'ko', label: '한국어' },
];

export function SettingsPanel() {
  const { t, i18n } = useTranslation();
  const { client, patch } = useStation();
  const [error, setError] = useState<string | null>(null);
  const choose = (locale: Locale) => {
    setError(null);
    client.setUiSettings({ locale }).then(
      (ui) => patch({ ui }),
      (e: unknown) => setError(errorText(e)),
    );
  };
  return (
    <div className="panel" data-testid="settings-panel">
      <h3>{t('settings.language')}</h3>
      <div className="segmented big">
        {LOCALES.map((l) => (
          <button
            key={l.id}
            lang={l.id}
            data-testid={`locale-${l.id}`}
            className={i18n.language === l.id ? 'active' : ''}
            aria-pressed={i18n.language === l.id}
            onClick={() => choose(l.id)}
          >
            {l.label}
          </button>
        ))}
      </div>
      <p className="muted small">{t('settings.languageHelp')}</p>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

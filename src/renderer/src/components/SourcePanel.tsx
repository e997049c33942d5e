import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText } from '../hooks';
import { ConfirmDialog } from './ConfirmDialog';
import { SOURCE_LEVEL } from './StatusBar';

const PRESETS = [
  { kind: 'synthetic', uri: 'synthetic:?size=1280x720&fps=15' },
  { kind: 'file', uri: 'file:/path/to/video.mp4?loop=1' },
  { kind: 'rtsp', uri: 'rtsp://user:password@192.168.0.10:554/stream1' },
  { kind: 'camera', uri: 'v4l2:/dev/video0?size=1280x720&fps=15' },
  { kind: 'images', uri: 'images:/path/to/folder?fps=2&loop=1' },
] as const;

export function SourcePanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const { view, client, patch } = useStation();
  const source = view.source;
  const [uri, setUri] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = () => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    client.setSource({ uri: uri.trim() }).then(
      (s) => {
        patch({ source: s });
        setBusy(false);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <div className="panel" data-testid="source-panel">
      <h3>{t('source.current')}</h3>
      {source ? (
        <dl className="details">
          <dt>{t('source.state')}</dt>
          <dd>
            <span
              className={`pill level-${SOURCE_LEVEL[source.state]}`}
              data-testid="source-state"
              data-state={source.state}
            >
              {t(`sourceState.${source.state}`)}
            </span>{' '}
            <span className="muted small">{f.time(source.atMs)}</span>
          </dd>
          <dt>URI</dt>
          <dd className="mono" data-testid="source-uri">
            {source.uri}
          </dd>
          <dt>{t('source.description')}</dt>
          <dd>{source.description}</dd>
          {source.reason && (
            <>
              <dt>{t('source.reason')}</dt>
              <dd>{source.reason}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">{t('common.loading')}</p>
      )}
      {source && source.stderrTail.length > 0 && (
        <>
          <h3>{t('source.ffmpegError')}</h3>
          <pre className="log" data-testid="source-stderr">
            {source.stderrTail.join('\n')}
          </pre>
        </>
      )}

      <h3>{t('source.change')}</h3>
      <div className="btn-group wrap">
        {PRESETS.map((p) => (
          <button key={p.kind} data-testid={`source-preset-${p.kind}`} onClick={() => setUri(p.uri)}>
            {t(`source.kind.${p.kind}`)}
          </button>
        ))}
      </div>
      <input
        className="text mono"
        data-testid="source-uri-input"
        placeholder={source?.uri ?? 'synthetic:'}
        value={uri}
        onChange={(e) => setUri(e.target.value)}
        spellCheck={false}
      />
      <div className="muted small">{t('source.uriHelp')}</div>
      <button
        className="primary"
        data-testid="source-apply"
        disabled={busy || uri.trim() === ''}
        onClick={() => setConfirming(true)}
      >
        {busy ? t('common.applying') : t('source.apply')}
      </button>
      {error && (
        <div className="error-box" role="alert" data-testid="source-error">
          {error}
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('source.confirmTitle')}
          onConfirm={apply}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('source.confirmBody')}</p>
          <p className="mono">{uri.trim()}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlcFieldValue, PlcStatus } from '../../../shared/api';
import { STATUS_BITS } from '../../../shared/plc-layout';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { errorText, useNow } from '../hooks';
import { ConfirmDialog } from './ConfirmDialog';
import { plcLevel } from './StatusBar';

type Handshake = PlcStatus['handshake'];
const HANDSHAKES: Handshake[] = ['free-run', 'ack', 'trigger'];
const RECORD_RE = /^records\[(\d+)\]\./;

function FieldValue({ field }: { field: PlcFieldValue }) {
  const f = useFormat();
  if (field.type === 'REAL') return <>{f.num(field.value, 3)}</>;
  if (field.type === 'WORD' && field.name === 'status') {
    const on = STATUS_BITS.filter((b) => (field.value >> b.bit) & 1).map((b) => b.name);
    return (
      <>
        {field.value} <span className="muted small">{on.length ? on.join(' ') : '–'}</span>
      </>
    );
  }
  return <>{f.int(field.value)}</>;
}

function LastBlock({ plc }: { plc: PlcStatus }) {
  const { t } = useTranslation();
  const f = useFormat();
  const block = plc.lastBlock;
  if (!block) return <p className="muted">{t('plc.noBlock')}</p>;
  const count = block.fields.find((x) => x.name === 'count')?.value ?? 0;
  const shown = block.fields.filter((x) => {
    const m = RECORD_RE.exec(x.name);
    return !m || Number(m[1]) < count;
  });
  const hiddenRecords = new Set(
    block.fields.map((x) => RECORD_RE.exec(x.name)?.[1]).filter((x) => x !== undefined && Number(x) >= count),
  ).size;
  return (
    <>
      <div className="muted small">{t('plc.blockOf', { id: f.int(block.frameId) })}</div>
      <table className="data compact mono-values" data-testid="plc-block">
        <thead>
          <tr>
            <th>{t('plc.field')}</th>
            <th className="num">{t('plc.offset')}</th>
            <th>{t('plc.type')}</th>
            <th className="num">{t('plc.value')}</th>
            <th>{t('plc.bytes')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((x) => (
            <tr key={x.name} data-testid="plc-field" data-field={x.name} data-value={x.value}>
              <td className="mono">{x.name}</td>
              <td className="num">{x.offsetBytes}</td>
              <td>{x.type}</td>
              <td className="num">
                <FieldValue field={x} />
              </td>
              <td className="mono small hex">{x.hex}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hiddenRecords > 0 && <div className="muted small">{t('plc.emptyRecords', { n: hiddenRecords })}</div>}
    </>
  );
}

export function PlcPanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useNow(250);
  const { view, client, patch } = useStation();
  const plc = view.plc;
  const [uri, setUri] = useState('');
  const [handshake, setHandshake] = useState<Handshake | ''>('');
  const [maxObjects, setMaxObjects] = useState('');
  const [confirming, setConfirming] = useState<null | { uri: string | null }>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = (target: string | null) => {
    setConfirming(null);
    setBusy(true);
    setError(null);
    const req = {
      uri: target,
      ...(handshake ? { handshake } : {}),
      ...(maxObjects ? { maxObjects: Number(maxObjects) } : {}),
    };
    client.setPlc(req).then(
      (p) => {
        patch({ plc: p });
        setBusy(false);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <div className="panel" data-testid="plc-panel">
      <h3>{t('plc.link')}</h3>
      {plc ? (
        <dl className="details">
          <dt>{t('source.state')}</dt>
          <dd>
            <span
              className={`pill level-${plcLevel(plc)}`}
              data-testid="plc-state"
              data-state={plc.state}
              data-level={plcLevel(plc)}
            >
              {t(
                plc.state === 'connecting' && plc.lastError
                  ? 'plcState.reconnecting'
                  : `plcState.${plc.state}`,
              )}
            </span>
          </dd>
          <dt>{t('plc.endpoint')}</dt>
          <dd className="mono">{plc.endpoint || '–'}</dd>
          <dt>{t('plc.handshake')}</dt>
          <dd>{t(`plc.handshakeName.${plc.handshake}`)}</dd>
          <dt>{t('plc.lifeCounter')}</dt>
          <dd data-testid="plc-life-counter">{f.int(plc.lifeCounter)}</dd>
          <dt>{t('plc.writesPerSec')}</dt>
          <dd>{f.num(plc.writesPerSec, 1)}</dd>
          <dt>{t('plc.lastWriteLabel')}</dt>
          <dd>
            {plc.lastWriteTimeMs
              ? `${f.time(plc.lastWriteTimeMs)} (${f.ago(plc.lastWriteTimeMs, now)})`
              : '–'}
          </dd>
          {plc.lastError && (
            <>
              <dt>{t('plc.lastError')}</dt>
              <dd className="error-text" data-testid="plc-last-error">
                {plc.lastError}
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">{t('common.loading')}</p>
      )}

      <h3>{t('plc.settings')}</h3>
      <div className="btn-group wrap">
        <button data-testid="plc-preset-sim" onClick={() => setUri('sim')}>
          {t('plc.presetSim')}
        </button>
        <button data-testid="plc-preset-s7" onClick={() => setUri('s7://192.168.0.1?rack=0&slot=1&db=1')}>
          {t('plc.presetS7')}
        </button>
      </div>
      <input
        className="text mono"
        data-testid="plc-uri-input"
        placeholder="s7://HOST[:PORT]?rack=0&slot=1&db=N"
        value={uri}
        onChange={(e) => setUri(e.target.value)}
        spellCheck={false}
      />
      <div className="form-row">
        <label>
          {t('plc.handshake')}
          <select
            data-testid="plc-handshake"
            value={handshake}
            onChange={(e) => setHandshake(e.target.value as Handshake | '')}
          >
            <option value="">
              {t('plc.keep', { value: plc ? t(`plc.handshakeName.${plc.handshake}`) : '' })}
            </option>
            {HANDSHAKES.map((h) => (
              <option key={h} value={h}>
                {t(`plc.handshakeName.${h}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('plc.maxObjects')}
          <input
            className="text narrow"
            type="number"
            min={1}
            max={255}
            data-testid="plc-max-objects"
            value={maxObjects}
            onChange={(e) => setMaxObjects(e.target.value)}
          />
        </label>
      </div>
      <div className="btn-group">
        <button
          className="primary"
          data-testid="plc-apply"
          disabled={busy || uri.trim() === ''}
          onClick={() => setConfirming({ uri: uri.trim() })}
        >
          {busy ? t('common.applying') : t('plc.apply')}
        </button>
        <button
          className="danger"
          data-testid="plc-off"
          disabled={busy || plc?.state === 'off'}
          onClick={() => setConfirming({ uri: null })}
        >
          {t('plc.switchOff')}
        </button>
      </div>
      {error && (
        <div className="error-box" role="alert" data-testid="plc-error">
          {error}
        </div>
      )}

      <h3>{t('plc.lastBlock')}</h3>
      {plc && <LastBlock plc={plc} />}

      {confirming && (
        <ConfirmDialog
          title={t('plc.confirmTitle')}
          onConfirm={() => apply(confirming.uri)}
          onCancel={() => setConfirming(null)}
        >
          <p>{t('plc.confirmBody')}</p>
          <p className="mono">{confirming.uri ?? t('plc.off')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  IntegrationState,
  MqttIntegrationSettings,
  OpcUaIntegrationSettings,
  OpcUaSecurityMode,
} from '../../../shared/integration';
import { useStation } from '../station-state';
import { errorText } from '../hooks';
import './integration.css';

/** The station's integration state: fetched once, then kept current by `integration` pushes. */
export function useIntegration(): IntegrationState | null {
  const { client } = useStation();
  const [state, setState] = useState<IntegrationState | null>(null);
  useEffect(() => {
    let live = true;
    client.getIntegration().then(
      (s) => live && setState(s),
      () => undefined, // the pushes below still fill it in
    );
    const off = client.subscribe('integration', (s) => setState(s));
    return () => {
      live = false;
      off();
    };
  }, [client]);
  return state;
}

const MQTT_LEVEL = { off: 'off', connecting: 'warn', connected: 'ok', reconnecting: 'bad' } as const;
const OPCUA_LEVEL = { off: 'off', listening: 'ok', failed: 'bad' } as const;
const SECURITY: OpcUaSecurityMode[] = ['production', 'none'];

/** A whole number typed into a field, or null when it is not one. */
function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * The Integration section of the settings: MQTT (broker, prefix, station name, results rate) and
 * the OPC UA server (port, security), each switched on or off and applied live by the station.
 */
export function IntegrationSettings() {
  const { t } = useTranslation();
  const { client } = useStation();
  const state = useIntegration();
  if (!state) return <p className="muted">{t('common.loading')}</p>;
  return (
    <div data-testid="integration-settings">
      <h3>{t('integration.title')}</h3>
      <p className="muted small">{t('integration.help')}</p>
      <MqttForm
        key={JSON.stringify(state.settings.mqtt)}
        saved={state.settings.mqtt}
        state={state}
        apply={(mqtt) => client.setIntegration({ mqtt })}
      />
      <OpcUaForm
        key={JSON.stringify(state.settings.opcua)}
        saved={state.settings.opcua}
        state={state}
        apply={(opcua) => client.setIntegration({ opcua })}
      />
    </div>
  );
}

function useApply<T>(apply: (v: T) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (v: T) => {
    setBusy(true);
    setError(null);
    apply(v).then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };
  return { busy, error, setError, run };
}

function MqttForm({
  saved,
  state,
  apply,
}: {
  saved: MqttIntegrationSettings;
  state: IntegrationState;
  apply: (s: MqttIntegrationSettings) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState(saved.enabled);
  const [url, setUrl] = useState(saved.url);
  const [prefix, setPrefix] = useState(saved.prefix);
  const [station, setStation] = useState(saved.station);
  const [rate, setRate] = useState(String(saved.ratePerS));
  const { busy, error, setError, run } = useApply(apply);
  const m = state.mqtt;
  const submit = () => {
    const ratePerS = wholeNumber(rate);
    if (ratePerS === null || ratePerS > 1000) return setError(t('integration.mqtt.rateRange'));
    run({ enabled, url: url.trim(), prefix: prefix.trim(), station: station.trim(), ratePerS });
  };
  return (
    <section className="integration-part" data-testid="integration-mqtt">
      <h4>MQTT</h4>
      <dl className="details">
        <dt>{t('integration.state')}</dt>
        <dd>
          <span className={`pill level-${MQTT_LEVEL[m.state]}`} data-testid="mqtt-state" data-state={m.state}>
            {t(`integration.mqtt.stateName.${m.state}`)}
          </span>
          {m.origin === 'command line' && <span className="muted small"> {t('integration.fromFlags')}</span>}
        </dd>
        {m.broker && (
          <>
            <dt>{t('integration.mqtt.publishing')}</dt>
            <dd className="mono" data-testid="mqtt-where">
              {m.broker} · {m.topicRoot}/…
            </dd>
            <dt>{t('integration.mqtt.outbox')}</dt>
            <dd data-testid="mqtt-outbox">
              {t('integration.mqtt.outboxValue', { waiting: m.outboxSize, dropped: m.droppedMessages })}
            </dd>
          </>
        )}
        {m.reason && (
          <>
            <dt>{t('integration.reason')}</dt>
            <dd className="error-text">{m.reason}</dd>
          </>
        )}
      </dl>
      <label className={`toggle${enabled ? ' on' : ''}`}>
        <input
          type="checkbox"
          data-testid="mqtt-enabled"
          checked={enabled}
          onChange={() => setEnabled((v) => !v)}
        />
        {t('integration.mqtt.enable')}
      </label>
      <label className="wide">
        {t('integration.mqtt.broker')}
        <input
          className="text mono"
          data-testid="mqtt-url"
          value={url}
          placeholder="mqtt://192.168.0.20:1883"
          spellCheck={false}
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      <div className="form-row">
        <label>
          {t('integration.mqtt.prefix')}
          <input
            className="text"
            data-testid="mqtt-prefix"
            value={prefix}
            spellCheck={false}
            onChange={(e) => setPrefix(e.target.value)}
          />
        </label>
        <label>
          {t('integration.mqtt.station')}
          <input
            className="text"
            data-testid="mqtt-station"
            value={station}
            placeholder={t('integration.mqtt.hostName')}
            spellCheck={false}
            onChange={(e) => setStation(e.target.value)}
          />
        </label>
        <label>
          {t('integration.mqtt.rate')}
          <input
            className="text narrow"
            type="number"
            min={0}
            max={1000}
            data-testid="mqtt-rate"
            value={rate}
            onChange={(e) => setRate(e.target.value)}
          />
        </label>
      </div>
      <button className="primary" data-testid="mqtt-apply" disabled={busy} onClick={submit}>
        {busy ? t('common.applying') : t('integration.apply')}
      </button>
      {error && (
        <div className="error-box" role="alert" data-testid="mqtt-error">
          {error}
        </div>
      )}
    </section>
  );
}

function OpcUaForm({
  saved,
  state,
  apply,
}: {
  saved: OpcUaIntegrationSettings;
  state: IntegrationState;
  apply: (s: OpcUaIntegrationSettings) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState(saved.enabled);
  const [port, setPort] = useState(String(saved.port));
  const [security, setSecurity] = useState<OpcUaSecurityMode>(saved.security);
  const { busy, error, setError, run } = useApply(apply);
  const o = state.opcua;
  const submit = () => {
    const p = wholeNumber(port);
    if (p === null || p < 1 || p > 65535) return setError(t('integration.opcua.portRange'));
    run({ enabled, port: p, security });
  };
  return (
    <section className="integration-part" data-testid="integration-opcua">
      <h4>OPC UA</h4>
      <dl className="details">
        <dt>{t('integration.state')}</dt>
        <dd>
          <span
            className={`pill level-${OPCUA_LEVEL[o.state]}`}
            data-testid="opcua-state"
            data-state={o.state}
          >
            {t(`integration.opcua.stateName.${o.state}`)}
          </span>
          {o.origin === 'command line' && <span className="muted small"> {t('integration.fromFlags')}</span>}
        </dd>
        {o.endpoint && (
          <>
            <dt>{t('integration.opcua.endpoint')}</dt>
            <dd className="mono" data-testid="opcua-endpoint">
              {o.endpoint} · {t(`integration.opcua.securityName.${o.security ?? 'none'}`)}
            </dd>
          </>
        )}
        {o.reason && (
          <>
            <dt>{t('integration.reason')}</dt>
            <dd className="error-text">{o.reason}</dd>
          </>
        )}
      </dl>
      <label className={`toggle${enabled ? ' on' : ''}`}>
        <input
          type="checkbox"
          data-testid="opcua-enabled"
          checked={enabled}
          onChange={() => setEnabled((v) => !v)}
        />
        {t('integration.opcua.enable')}
      </label>
      <div className="form-row">
        <label>
          {t('integration.opcua.port')}
          <input
            className="text narrow"
            type="number"
            min={1}
            max={65535}
            data-testid="opcua-port"
            value={port}
            onChange={(e) => setPort(e.target.value)}
          />
        </label>
      </div>
      <div className="wide" role="group" aria-label={t('integration.opcua.security')}>
        {t('integration.opcua.security')}
        <div className="segmented">
          {SECURITY.map((s) => (
            <button
              key={s}
              data-testid={`opcua-security-${s}`}
              className={security === s ? 'active' : ''}
              aria-pressed={security === s}
              onClick={() => setSecurity(s)}
            >
              {t(`integration.opcua.securityName.${s}`)}
            </button>
          ))}
        </div>
      </div>
      <p className="muted small">{t('integration.opcua.securityHelp')}</p>
      <button className="primary" data-testid="opcua-apply" disabled={busy} onClick={submit}>
        {busy ? t('common.applying') : t('integration.apply')}
      </button>
      {error && (
        <div className="error-box" role="alert" data-testid="opcua-error">
          {error}
        </div>
      )}
    </section>
  );
}

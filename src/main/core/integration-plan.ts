/**
 * From the administrator's integration settings to what the station runs: the `--mqtt` URI the
 * MQTT sink takes, and the merge of a settings change into the saved settings. Pure.
 */
import {
  maskBrokerUrl,
  type IntegrationSettings,
  type MqttIntegrationSettings,
  type SetIntegrationRequest,
} from '../../shared/integration';

/** The MQTT URI (`mqtt://HOST:PORT?prefix=...&station=...&rate=...`) for enabled settings, else null. */
export function mqttUriOf(s: MqttIntegrationSettings): string | null {
  if (!s.enabled) return null;
  const q = new URLSearchParams();
  q.set('prefix', s.prefix);
  if (s.station !== '') q.set('station', s.station);
  q.set('rate', String(s.ratePerS));
  return `${s.url.trim().replace(/\/$/, '')}?${q.toString()}`;
}

/** The settings as shown to any reader: broker credentials masked. */
export function maskedIntegration(s: IntegrationSettings): IntegrationSettings {
  return { ...s, mqtt: { ...s.mqtt, url: maskBrokerUrl(s.mqtt.url) } };
}

/**
 * The saved settings after a change. The app shows the broker URL masked; a URL sent back
 * unchanged (still masked) keeps the saved credentials.
 */
export function mergeIntegration(
  saved: IntegrationSettings,
  req: SetIntegrationRequest,
): IntegrationSettings {
  const mqtt = req.mqtt
    ? {
        ...req.mqtt,
        url: req.mqtt.url === maskBrokerUrl(saved.mqtt.url) ? saved.mqtt.url : req.mqtt.url,
      }
    : saved.mqtt;
  return { mqtt, opcua: req.opcua ?? saved.opcua };
}

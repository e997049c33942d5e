/**
 * Plant integration settings (MQTT publishing, the OPC UA server) as the administrator sets them
 * in the app, their live state, and the fleet view. Shared by the station and the renderer; the
 * validation is in integration-schema.ts (zod stays out of the renderer's bundle).
 */
import type { FleetStation } from './fleet';

export type OpcUaSecurityMode = 'none' | 'production';

export interface MqttIntegrationSettings {
  enabled: boolean;
  /** Broker: `mqtt://[USER:PASS@]HOST[:PORT]` or `mqtts://...`, nothing after the port. */
  url: string;
  /** Topic prefix; may have several levels (`plant1/vision`). */
  prefix: string;
  /** This station's topic level; empty: the host name. */
  station: string;
  /** Per-frame results published per second at most (0: none; events, counters, status still go). */
  ratePerS: number;
}

export interface OpcUaIntegrationSettings {
  enabled: boolean;
  port: number;
  /** `none` for commissioning; `production` accepts only Sign / SignAndEncrypt with trusted certificates. */
  security: OpcUaSecurityMode;
}

export interface IntegrationSettings {
  mqtt: MqttIntegrationSettings;
  opcua: OpcUaIntegrationSettings;
}

/** What `setIntegration` takes: either part, each one whole. */
export type SetIntegrationRequest = Partial<IntegrationSettings>;

export const DEFAULT_INTEGRATION_SETTINGS: IntegrationSettings = {
  mqtt: { enabled: false, url: 'mqtt://127.0.0.1:1883', prefix: 'vision-station', station: '', ratePerS: 5 },
  opcua: { enabled: false, port: 4840, security: 'production' },
};

/** Where the running configuration came from: the saved settings, or serve's flags for this run. */
export type IntegrationOrigin = 'settings' | 'command line';

export interface MqttState {
  state: 'off' | 'connecting' | 'connected' | 'reconnecting';
  /** Broker URL without credentials; null while off. */
  broker: string | null;
  /** `<prefix>/<station>`: where this station publishes. */
  topicRoot: string | null;
  origin: IntegrationOrigin | null;
  /** Why it is not connected (last error), else null. */
  reason: string | null;
  /** QoS-1 messages waiting for the broker. */
  outboxSize: number;
  /** Messages dropped because the outbox was full while the broker was away. */
  droppedMessages: number;
}

export interface OpcUaState {
  state: 'off' | 'listening' | 'failed';
  /** `opc.tcp://host:port` while listening. */
  endpoint: string | null;
  security: OpcUaSecurityMode | null;
  origin: IntegrationOrigin | null;
  /** Why it failed to start, else null. */
  reason: string | null;
}

export interface IntegrationState {
  /** The saved settings (broker credentials masked as `***`). */
  settings: IntegrationSettings;
  mqtt: MqttState;
  opcua: OpcUaState;
}

/** The other stations on the configured broker (this one included). */
export interface FleetView {
  /** `broker/prefix` watched, or null while MQTT is off. */
  watching: string | null;
  /** This station's own name on the broker, or null. */
  self: string | null;
  stations: FleetStation[];
  /** Why the broker cannot be watched, or null. */
  error: string | null;
}

/** Credentials in a broker URL hidden (safe to show and log). */
export function maskBrokerUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, '//***@');
}

/**
 * Plant integration settings (MQTT publishing, the OPC UA server) as the administrator sets them
 * in the app, their live state, and the fleet view. Shared by the station, the API validation and
 * the renderer; the schemas check the shape and the topic rules (the station checks the URI once
 * more when it builds the connection).
 */
import { z } from 'zod';
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

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** An MQTT topic level a person typed: no wildcards, separators or control characters. */
function topicLevelOk(level: string): boolean {
  if (level.length === 0 || /[+#/]/.test(level)) return false;
  for (let i = 0; i < level.length; i++) if (level.charCodeAt(i) < 0x20) return false;
  return true;
}

export const mqttBrokerUrlSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2048, 'is too long')
  .superRefine((v, ctx) => {
    if (!/^mqtts?:\/\//i.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must start with mqtt:// or mqtts:// (e.g. mqtt://192.168.0.20:1883)',
      });
      return;
    }
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid address (e.g. mqtt://192.168.0.20:1883)' });
      return;
    }
    if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'the broker address is missing' });
    else if ((url.pathname && url.pathname !== '/') || url.search || url.hash)
      ctx.addIssue({
        code: 'custom',
        message: 'give only the broker (mqtt://HOST:PORT); prefix, station and rate have their own fields',
      });
  });

export const mqttIntegrationSchema = z
  .object({
    enabled: z.boolean(),
    url: mqttBrokerUrlSchema,
    prefix: z
      .string()
      .trim()
      .max(200, 'is too long')
      .refine((p) => p.split('/').every(topicLevelOk), {
        message:
          "must be topic levels separated by '/', without '+', '#', empty levels or control characters",
      }),
    station: z
      .string()
      .trim()
      .max(200, 'is too long')
      .refine((s) => s === '' || topicLevelOk(s), {
        message: "must not contain '+', '#', '/' or control characters",
      }),
    ratePerS: z.number().int('must be a whole number').min(0, 'must be 0..1000').max(1000, 'must be 0..1000'),
  })
  .strict() satisfies z.ZodType<MqttIntegrationSettings>;

export const opcuaIntegrationSchema = z
  .object({
    enabled: z.boolean(),
    port: z.number().int('must be a whole number').min(1, 'must be 1..65535').max(65535, 'must be 1..65535'),
    security: z.enum(['none', 'production'], { message: "must be 'none' (commissioning) or 'production'" }),
  })
  .strict() satisfies z.ZodType<OpcUaIntegrationSettings>;

export const integrationSettingsSchema = z
  .object({ mqtt: mqttIntegrationSchema, opcua: opcuaIntegrationSchema })
  .strict() satisfies z.ZodType<IntegrationSettings>;

export const setIntegrationRequestSchema =
  integrationSettingsSchema.partial() satisfies z.ZodType<SetIntegrationRequest>;

/** Credentials in a broker URL hidden (safe to show and log). */
export function maskBrokerUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, '//***@');
}

/**
 * Validation of the integration settings at the API boundary and in the settings file: the shape,
 * the ranges and the MQTT topic rules (the station checks the whole URI once more when it builds
 * the connection).
 */
import { z } from 'zod';
import type {
  IntegrationSettings,
  MqttIntegrationSettings,
  OpcUaIntegrationSettings,
  SetIntegrationRequest,
} from './integration';

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

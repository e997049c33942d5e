import { describe, expect, it } from 'vitest';
import { API_ARGS } from '../../src/shared/api-schemas';
import { DEFAULT_INTEGRATION_SETTINGS, type IntegrationSettings } from '../../src/shared/integration';
import { integrationSettingsSchema } from '../../src/shared/integration-schema';
import { maskedIntegration, mergeIntegration, mqttUriOf } from '../../src/main/core/integration-plan';
import { firstIssue } from '../../src/shared/api-schemas';

const saved: IntegrationSettings = {
  mqtt: {
    enabled: true,
    url: 'mqtt://vs:s3cret@10.0.0.5:1883',
    prefix: 'plant1/vision',
    station: 'line 7',
    ratePerS: 5,
  },
  opcua: { enabled: false, port: 4840, security: 'production' },
};

describe('mqttUriOf', () => {
  it('builds the --mqtt URI from the settings, or null when off', () => {
    expect(mqttUriOf(saved.mqtt)).toBe(
      'mqtt://vs:s3cret@10.0.0.5:1883?prefix=plant1%2Fvision&station=line+7&rate=5',
    );
    expect(mqttUriOf({ ...saved.mqtt, url: 'mqtt://h:1/', station: '' })).toBe(
      'mqtt://h:1?prefix=plant1%2Fvision&rate=5',
    );
    expect(mqttUriOf({ ...saved.mqtt, enabled: false })).toBeNull();
  });
});

describe('masking and merging', () => {
  it('shows the broker without its credentials', () => {
    expect(maskedIntegration(saved).mqtt.url).toBe('mqtt://***@10.0.0.5:1883');
    expect(saved.mqtt.url).toBe('mqtt://vs:s3cret@10.0.0.5:1883');
  });

  it('keeps the saved credentials when the masked URL comes back unchanged', () => {
    const masked = maskedIntegration(saved).mqtt;
    expect(mergeIntegration(saved, { mqtt: { ...masked, ratePerS: 9 } })).toEqual({
      ...saved,
      mqtt: { ...saved.mqtt, ratePerS: 9 },
    });
  });

  it('takes a new URL as given, and leaves the part not sent alone', () => {
    const next = mergeIntegration(saved, { mqtt: { ...saved.mqtt, url: 'mqtt://other:1883' } });
    expect(next.mqtt.url).toBe('mqtt://other:1883');
    expect(next.opcua).toBe(saved.opcua);
    const opc = { enabled: true, port: 4841, security: 'none' as const };
    expect(mergeIntegration(saved, { opcua: opc })).toEqual({ mqtt: saved.mqtt, opcua: opc });
  });
});

describe('setIntegration at the API boundary', () => {
  const problem = (req: unknown): string | null => {
    const r = API_ARGS.setIntegration.safeParse([req]);
    return r.success ? null : firstIssue(r.error);
  };

  it('accepts either part, each one whole', () => {
    expect(problem({ mqtt: DEFAULT_INTEGRATION_SETTINGS.mqtt })).toBeNull();
    expect(problem({ opcua: DEFAULT_INTEGRATION_SETTINGS.opcua })).toBeNull();
    expect(problem({})).toBeNull();
    expect(integrationSettingsSchema.parse(DEFAULT_INTEGRATION_SETTINGS)).toEqual(
      DEFAULT_INTEGRATION_SETTINGS,
    );
  });

  it('refuses what the station could not use, saying why', () => {
    const m = DEFAULT_INTEGRATION_SETTINGS.mqtt;
    const o = DEFAULT_INTEGRATION_SETTINGS.opcua;
    expect(problem({ mqtt: { ...m, url: 'tcp://h:1883' } })).toMatch(
      /mqtt\.url.*must start with mqtt:\/\/ or mqtts:\/\//,
    );
    expect(problem({ mqtt: { ...m, url: 'mqtt://h:1883?prefix=x' } })).toMatch(
      /prefix, station and rate have their own fields/,
    );
    expect(problem({ mqtt: { ...m, prefix: 'a//b' } })).toMatch(
      /mqtt\.prefix.*without '\+', '#', empty levels/,
    );
    expect(problem({ mqtt: { ...m, station: 'line/1' } })).toMatch(/mqtt\.station.*must not contain/);
    expect(problem({ mqtt: { ...m, station: 'a\u0001' } })).toMatch(/mqtt\.station/);
    expect(problem({ mqtt: { ...m, ratePerS: 1001 } })).toMatch(/mqtt\.ratePerS.*0\.\.1000/);
    expect(problem({ mqtt: { ...m, ratePerS: 1.5 } })).toMatch(/mqtt\.ratePerS.*whole number/);
    expect(problem({ opcua: { ...o, port: 0 } })).toMatch(/opcua\.port.*1\.\.65535/);
    expect(problem({ opcua: { ...o, security: 'sign' } })).toMatch(
      /opcua\.security.*'none' \(commissioning\) or 'production'/,
    );
    expect(problem({ opcua: { enabled: true, port: 4840 } })).toMatch(/opcua\.security/);
    expect(problem({ mqtt: m, extra: 1 })).not.toBeNull();
  });
});

/**
 * The `--mqtt` URI: `mqtt://[USER:PASS@]HOST[:PORT][?prefix=P&station=S&camera=C&rate=N&outbox=N&statusMs=MS]`
 * (or `mqtts://`), validated with zod into settings the MQTT sink uses.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { topicLevelProblem, topicPrefixProblem } from '../../core/mqtt-topics';

export const MQTT_URI_EXAMPLE = 'mqtt://192.168.0.20:1883?station=line1&camera=cam1&rate=5';
const PARAMS = ['prefix', 'station', 'camera', 'rate', 'outbox', 'statusMs'] as const;

export class MqttConfigError extends Error {
  override name = 'MqttConfigError';
}

/** A host name turned into a valid topic level (dots are fine in MQTT; wildcards are not). */
function defaultStationName(): string {
  return hostname().replace(/[+#/\s]/g, '_') || 'station';
}

const level = () =>
  z.string().superRefine((v, ctx) => {
    const p = topicLevelProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });

const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ${min}..${max}`).max(max, `must be ${min}..${max}`));

const ParamsSchema = z.object({
  prefix: z
    .string()
    .superRefine((v, ctx) => {
      const p = topicPrefixProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    })
    .default('vision-station'),
  station: level().optional(),
  camera: level().default('cam1'),
  /** Per-frame results per second at most; 0 publishes none (events, counters and status still go out). */
  rate: intText(0, 1000).default(5),
  /** QoS-1 messages (events, alarms) kept while the broker is away; the oldest go first. */
  outbox: intText(1, 100_000).default(1000),
  /** How often status and counters are republished. */
  statusMs: intText(100, 3_600_000).default(2000),
});

export interface MqttSettings {
  /** Broker URL without credentials or query (safe to log). */
  brokerUrl: string;
  username?: string;
  password?: string;
  prefix: string;
  station: string;
  camera: string;
  ratePerS: number;
  outboxCapacity: number;
  statusIntervalMs: number;
}

export function maskMqttUri(uri: string): string {
  return uri.replace(/\/\/([^/@]*)@/, '//***@');
}

export function parseMqttUri(uri: string): MqttSettings {
  const shown = maskMqttUri(uri);
  const text = uri.trim();
  if (!/^mqtts?:\/\//i.test(text))
    throw new MqttConfigError(
      `MQTT URI "${shown}": must start with mqtt:// or mqtts://, e.g. ${MQTT_URI_EXAMPLE}`,
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MqttConfigError(`MQTT URI "${shown}" is not a valid URI; expected e.g. ${MQTT_URI_EXAMPLE}`);
  }
  if (!url.hostname) throw new MqttConfigError(`MQTT URI "${shown}": the broker address is missing`);
  if (url.pathname && url.pathname !== '/')
    throw new MqttConfigError(
      `MQTT URI "${shown}": unexpected path "${url.pathname}"; put settings after "?"`,
    );
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (!(PARAMS as readonly string[]).includes(k))
      throw new MqttConfigError(
        `MQTT URI "${shown}": unknown parameter "${k}" (known: ${PARAMS.join(', ')})`,
      );
    raw[k] = v;
  }
  const r = ParamsSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    throw new MqttConfigError(`MQTT URI "${shown}": ${name}=${raw[name] ?? ''}: ${issue.message}`);
  }
  const secure = url.protocol.toLowerCase() === 'mqtts:';
  const port = url.port ? Number(url.port) : secure ? 8883 : 1883;
  const host =
    url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
  return {
    brokerUrl: `${secure ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    prefix: r.data.prefix,
    station: r.data.station ?? defaultStationName(),
    camera: r.data.camera,
    ratePerS: r.data.rate,
    outboxCapacity: r.data.outbox,
    statusIntervalMs: r.data.statusMs,
  };
}

/** The `--mqtt` flag: checked when flags are parsed (a bad URI is a usage error), passed on as text. */
export const mqttUriFlag = z.string().superRefine((uri, ctx) => {
  try {
    parseMqttUri(uri);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

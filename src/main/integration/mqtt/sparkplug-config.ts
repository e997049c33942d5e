/**
 * The `--sparkplug` URI: `mqtt[s]://[USER:PASS@]HOST[:PORT][?group=G&node=N&device=D&rate=R]`,
 * validated with zod into the settings the Sparkplug B sink uses.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { topicLevelProblem } from '../../core/mqtt-topics';

export const SPARKPLUG_URI_EXAMPLE = 'mqtt://192.168.0.20:1883?group=plant1&node=line1&device=cam1&rate=5';

export interface SparkplugSettings {
  brokerUrl: string;
  username?: string;
  password?: string;
  group: string;
  node: string;
  device: string;
  ratePerS: number;
}

const level = () =>
  z.string().superRefine((v, ctx) => {
    const p = topicLevelProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });

const ParamsSchema = z
  .object({
    group: level().default('vision-station'),
    node: level().optional(),
    device: level().default('cam1'),
    rate: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().max(1000, 'must be 0..1000'))
      .default(5),
  })
  .strict();

export function parseSparkplugUri(uri: string): SparkplugSettings {
  const shown = uri.replace(/\/\/([^/@]*)@/, '//***@');
  if (!/^mqtts?:\/\//i.test(uri.trim()))
    throw new Error(
      `Sparkplug URI "${shown}": must start with mqtt:// or mqtts://, e.g. ${SPARKPLUG_URI_EXAMPLE}`,
    );
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    throw new Error(`Sparkplug URI "${shown}" is not a valid URI; expected e.g. ${SPARKPLUG_URI_EXAMPLE}`);
  }
  if (!url.hostname) throw new Error(`Sparkplug URI "${shown}": the broker address is missing`);
  const raw = Object.fromEntries(url.searchParams);
  const r = ParamsSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = issue.path.map(String).join('.') || Object.keys(raw).find((k) => !(k in ParamsSchema.shape));
    throw new Error(
      issue.code === 'unrecognized_keys'
        ? `Sparkplug URI "${shown}": unknown parameter "${issue.keys.join('", "')}" (known: group, node, device, rate)`
        : `Sparkplug URI "${shown}": ${name}=${raw[String(name)] ?? ''}: ${issue.message}`,
    );
  }
  const secure = url.protocol.toLowerCase() === 'mqtts:';
  return {
    brokerUrl: `${secure ? 'mqtts' : 'mqtt'}://${url.hostname}:${url.port || (secure ? 8883 : 1883)}`,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    group: r.data.group,
    node: r.data.node ?? (hostname().replace(/[+#/\s]/g, '_') || 'station'),
    device: r.data.device,
    ratePerS: r.data.rate,
  };
}

/** The `--sparkplug` flag: checked when flags are parsed, passed on as text. */
export const sparkplugUriFlag = z.string().superRefine((uri, ctx) => {
  try {
    parseSparkplugUri(uri);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

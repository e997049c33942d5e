/**
 * PLC link settings (zod, with bounds and descriptions) and the `--plc` URI:
 *   s7://HOST[:PORT]?rack=0&slot=1&db=N[&offset=BYTES][&maxObjects=N][&mode=free-run|ack|trigger][&layout=1|2]
 *   sim[?layout=1|2]
 */
import { z } from 'zod';
import { DEFAULT_MAX_OBJECTS, MAX_MAX_OBJECTS, type PlcLayoutVersion } from '../../shared/plc-layout';
import { RECORD_SORT_KEYS } from '../core/plc/encode';
import { homographySchema } from '../core/calibration';

import { describeIssue, HANDSHAKE_MODES, type HandshakeMode } from '../../shared/schema';
export { HANDSHAKE_MODES, type HandshakeMode };

export const DEFAULT_S7_PORT = 102;

export const plcSettingsSchema = z
  .object({
    host: z.string().min(1).describe('PLC IPv4 address or host name'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(DEFAULT_S7_PORT)
      .describe('ISO-on-TCP port, 102 on a real PLC'),
    rack: z
      .number()
      .int()
      .min(0)
      .max(7)
      .default(0)
      .describe('S7-1200/1500: 0; S7-300: 0; S7-400: per hardware config'),
    slot: z
      .number()
      .int()
      .min(0)
      .max(31)
      .default(1)
      .describe('S7-1200/1500: 1; S7-300: 2; S7-400: per hardware config'),
    dbNumber: z.number().int().min(1).max(65535).describe('DB that holds the layout-v1 block'),
    startOffsetBytes: z
      .number()
      .int()
      .min(0)
      .max(65534)
      .default(0)
      .refine((n) => n % 2 === 0, 'the start offset must be even (S7 aligns INT/DINT/REAL to even bytes)')
      .describe('byte offset of the block inside the DB'),
    maxObjects: z
      .number()
      .int()
      .min(1)
      .max(MAX_MAX_OBJECTS)
      .default(DEFAULT_MAX_OBJECTS)
      .describe('records in the block'),
    layoutVersion: z
      .union([z.literal(1), z.literal(2)], { message: 'must be 1 or 2' })
      .default(1)
      .describe(
        '1: objects only; 2: layout v1 followed by the counting-line counters and their reset request',
      ),
    sortKey: z
      .enum(RECORD_SORT_KEYS)
      .default('score')
      .describe('which objects come first and survive truncation'),
    handshake: z
      .enum(HANDSHAKE_MODES)
      .default('free-run')
      .describe('free-run: every frame; ack: wait for ackFrameId; trigger: answer triggerCounter'),
    pollIntervalMs: z
      .number()
      .int()
      .min(5)
      .max(10_000)
      .default(20)
      .describe('how often the control area is read'),
    ackTimeoutMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(1000)
      .describe('ack mode: wait this long for ackFrameId, then alarm and write'),
    triggerTimeoutMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(2000)
      .describe('trigger mode: alarm when no frame answers a trigger within this time'),
    stalenessLimitMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(1000)
      .describe('older results are written with resultsValid=0, stale=1'),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    opTimeoutMs: z.number().int().min(50).max(60_000).default(1000).describe('timeout of one read or write'),
    reconnectMinMs: z.number().int().min(10).max(60_000).default(250),
    reconnectMaxMs: z.number().int().min(10).max(300_000).default(10_000),
    homographyPxToMm: homographySchema
      .nullable()
      .default(null)
      .describe('pixel -> mm calibration; null writes pixels'),
  })
  .refine((s) => s.reconnectMaxMs >= s.reconnectMinMs, {
    message: 'reconnectMaxMs must be >= reconnectMinMs',
    path: ['reconnectMaxMs'],
  });

export type PlcSettingsInput = z.input<typeof plcSettingsSchema>;
export type PlcSettings = z.output<typeof plcSettingsSchema>;

export class PlcConfigError extends Error {
  override name = 'PlcConfigError';
}

/** Parses settings; the first problem becomes a one-line message naming the field. */
export function parsePlcSettings(input: unknown): PlcSettings {
  const r = plcSettingsSchema.safeParse(input);
  if (!r.success) {
    throw new PlcConfigError(`PLC setting ${describeIssue(r.error)}`);
  }
  return r.data;
}

export type PlcTarget =
  { kind: 'sim'; layoutVersion?: PlcLayoutVersion } | { kind: 's7'; settings: PlcSettingsInput };

const URI_EXAMPLE = 's7://192.168.0.10?rack=0&slot=1&db=100';
const URI_PARAMS = ['rack', 'slot', 'db', 'offset', 'maxObjects', 'mode', 'layout'] as const;

function layoutParam(uri: string, raw: string): PlcLayoutVersion {
  if (raw !== '1' && raw !== '2') throw new PlcConfigError(`PLC URI "${uri}": layout=${raw} must be 1 or 2`);
  return raw === '2' ? 2 : 1;
}

function intParam(uri: string, name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw))
    throw new PlcConfigError(`PLC URI "${uri}": ${name}=${raw} is not a whole number (e.g. ${URI_EXAMPLE})`);
  const n = Number(raw);
  if (n < min || n > max) throw new PlcConfigError(`PLC URI "${uri}": ${name}=${raw} must be ${min}..${max}`);
  return n;
}

/** `sim` or `s7://HOST[:PORT]?rack=R&slot=S&db=N[&offset=B][&maxObjects=N][&mode=M]`. */
export function parsePlcUri(uri: string): PlcTarget {
  const text = uri.trim();
  if (text === 'sim') return { kind: 'sim' };
  const sim = /^sim\?layout=(.*)$/.exec(text);
  if (sim) return { kind: 'sim', layoutVersion: layoutParam(uri, sim[1]) };
  if (!/^s7:\/\//i.test(text)) throw new PlcConfigError(`PLC URI "${uri}": use "sim" or ${URI_EXAMPLE}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PlcConfigError(`PLC URI "${uri}" is not a valid URI; expected ${URI_EXAMPLE}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new PlcConfigError(`PLC URI "${uri}": the PLC address is missing (e.g. ${URI_EXAMPLE})`);
  if (url.pathname && url.pathname !== '/')
    throw new PlcConfigError(`PLC URI "${uri}": unexpected path "${url.pathname}"; put settings after "?"`);
  for (const key of url.searchParams.keys()) {
    if (!(URI_PARAMS as readonly string[]).includes(key)) {
      throw new PlcConfigError(
        `PLC URI "${uri}": unknown parameter "${key}" (known: ${URI_PARAMS.join(', ')})`,
      );
    }
  }
  const q = (k: string): string | null => url.searchParams.get(k);
  const dbRaw = q('db');
  if (dbRaw === null)
    throw new PlcConfigError(
      `PLC URI "${uri}": db=N is required (the DB number holding the block), e.g. ${URI_EXAMPLE}`,
    );
  const settings: PlcSettingsInput = {
    host,
    port: url.port ? intParam(uri, 'port', url.port, 1, 65535) : DEFAULT_S7_PORT,
    rack: q('rack') === null ? 0 : intParam(uri, 'rack', q('rack')!, 0, 7),
    slot: q('slot') === null ? 1 : intParam(uri, 'slot', q('slot')!, 0, 31),
    dbNumber: intParam(uri, 'db', dbRaw, 1, 65535),
  };
  if (q('offset') !== null) settings.startOffsetBytes = intParam(uri, 'offset', q('offset')!, 0, 65534);
  if (q('maxObjects') !== null)
    settings.maxObjects = intParam(uri, 'maxObjects', q('maxObjects')!, 1, MAX_MAX_OBJECTS);
  const mode = q('mode');
  if (mode !== null) {
    if (!(HANDSHAKE_MODES as readonly string[]).includes(mode)) {
      throw new PlcConfigError(`PLC URI "${uri}": mode=${mode} must be one of ${HANDSHAKE_MODES.join(', ')}`);
    }
    settings.handshake = mode as HandshakeMode;
  }
  if (q('layout') !== null) settings.layoutVersion = layoutParam(uri, q('layout')!);
  // Validate the whole set now so a bad combination fails before anything connects.
  parsePlcSettings(settings);
  return { kind: 's7', settings };
}

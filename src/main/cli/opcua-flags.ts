/** `--opcua PORT`, `--opcua-security none|production` and `--opcua-pki DIR`, shared by run and serve. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { intFlag } from './args';
import type { OpcUaSecurity } from '../integration/opcua/opcua-server';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';

export type { OpcUaEndpointOptions };

export const opcuaFlagFields = {
  opcua: intFlag(1, 65535).optional(),
  'opcua-security': z
    .enum(['none', 'production'], { message: "must be 'none' (commissioning) or 'production'" })
    .default('production'),
  'opcua-pki': z.string().min(1).optional(),
};

export const opcuaFlagOptions = {
  opcua: { type: 'string' },
  'opcua-security': { type: 'string' },
  'opcua-pki': { type: 'string' },
} as const;

/** The endpoint settings from parsed flags, or undefined without --opcua. */
export function opcuaFromFlags(
  flags: { opcua?: number; 'opcua-security': OpcUaSecurity; 'opcua-pki'?: string },
  dataDir = join(homedir(), '.vision-station'),
): OpcUaEndpointOptions | undefined {
  if (flags.opcua === undefined) return undefined;
  return {
    port: flags.opcua,
    security: flags['opcua-security'],
    pkiDir: resolve(flags['opcua-pki'] ?? join(dataDir, 'opcua-pki')),
  };
}

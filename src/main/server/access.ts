/**
 * Who may open the station's WebSocket. Three checks, all needed:
 *  - the Host header names the station itself (a loopback name or the configured host, with our
 *    port), so a page served from another name that resolves to us (DNS rebinding) is refused;
 *  - a browser's Origin is `http://<that Host>`, so another site's page cannot drive the station;
 *  - the client presents the access token printed at start (loopback included: any local process
 *    or page could otherwise reach 127.0.0.1).
 * Pure functions of the request's headers, so they are tested without sockets.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

export interface UpgradeRefusal {
  status: '401 Unauthorized' | '403 Forbidden' | '421 Misdirected Request';
  why: string;
}

/** 32 random bytes, URL-safe: the token printed when the operator did not choose one. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const bracket = (h: string): string => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);

const isWildcard = (h: string): boolean => h === '0.0.0.0' || h === '::' || h === '[::]';

/**
 * Every `host:port` value a legitimate client may send in its Host header: the loopback names, the
 * configured host, and where the server listens on all interfaces, this machine's addresses and name.
 */
export function allowedHostHeaders(configuredHost: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (isWildcard(configuredHost)) {
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.add(bracket(a.address));
    names.add(hostname().toLowerCase());
  } else names.add(bracket(configuredHost.toLowerCase()));
  const withPort = [...names].map((n) => `${n}:${port}`);
  // Browsers leave out the default port: on port 80 the Host header is the bare name.
  return new Set(port === 80 ? [...withPort, ...names] : withPort);
}

export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Null when the upgrade may proceed, else the HTTP status and the reason for the log.
 * A missing Origin is accepted: browsers always send one on a WebSocket, so its absence means a
 * non-browser client, which still needs the token.
 */
export function checkUpgrade(req: {
  hostHeader: string | undefined;
  origin: string | undefined;
  token: string | null;
  expectedToken: string;
  allowedHosts: ReadonlySet<string>;
}): UpgradeRefusal | null {
  const host = (req.hostHeader ?? '').toLowerCase();
  if (!req.allowedHosts.has(host))
    return { status: '421 Misdirected Request', why: `host ${JSON.stringify(host)} is not this station` };
  if (req.origin !== undefined && req.origin.toLowerCase() !== `http://${host}`)
    return { status: '403 Forbidden', why: `origin ${req.origin} is not this station` };
  if (!tokenMatches(req.expectedToken, req.token))
    return { status: '401 Unauthorized', why: 'missing or wrong access token' };
  return null;
}

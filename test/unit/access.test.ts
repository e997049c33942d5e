import { describe, expect, it } from 'vitest';
import { allowedHostHeaders, checkUpgrade } from '../../src/main/server/access';

const TOKEN = 'a'.repeat(43);

describe('WebSocket access rules', () => {
  it('lists the loopback names and the configured host with the port', () => {
    expect([...allowedHostHeaders('192.168.1.20', 8080)].sort()).toEqual([
      '127.0.0.1:8080',
      '192.168.1.20:8080',
      '[::1]:8080',
      'localhost:8080',
    ]);
    expect(allowedHostHeaders('::1', 9000).has('[::1]:9000')).toBe(true);
    expect(allowedHostHeaders('127.0.0.1', 80).has('localhost')).toBe(true);
    expect(allowedHostHeaders('127.0.0.1', 8080).has('localhost')).toBe(false);
  });

  it('refuses a foreign Host, a foreign Origin and a missing or wrong token, in that order', () => {
    const allowedHosts = allowedHostHeaders('127.0.0.1', 8080);
    const base = { allowedHosts, expectedToken: TOKEN };
    expect(
      checkUpgrade({
        ...base,
        hostHeader: 'evil.example:8080',
        origin: 'http://evil.example:8080',
        token: TOKEN,
      }),
    ).toEqual({ status: '421 Misdirected Request', why: 'host "evil.example:8080" is not this station' });
    expect(
      checkUpgrade({
        ...base,
        hostHeader: '127.0.0.1:8080',
        origin: 'http://evil.example:8080',
        token: TOKEN,
      }),
    ).toEqual({ status: '403 Forbidden', why: 'origin http://evil.example:8080 is not this station' });
    expect(
      checkUpgrade({ ...base, hostHeader: 'localhost:8080', origin: 'http://127.0.0.1:8080', token: TOKEN }),
    ).toEqual({ status: '403 Forbidden', why: 'origin http://127.0.0.1:8080 is not this station' });
    for (const token of [null, '', 'b'.repeat(43), TOKEN.slice(1)])
      expect(checkUpgrade({ ...base, hostHeader: '127.0.0.1:8080', origin: undefined, token })).toEqual({
        status: '401 Unauthorized',
        why: 'missing or wrong access token',
      });
    expect(
      checkUpgrade({ ...base, hostHeader: 'LOCALHOST:8080', origin: 'http://localhost:8080', token: TOKEN }),
    ).toBeNull();
    expect(
      checkUpgrade({ ...base, hostHeader: '127.0.0.1:8080', origin: undefined, token: TOKEN }),
    ).toBeNull();
    expect(checkUpgrade({ ...base, hostHeader: undefined, origin: undefined, token: TOKEN })).toMatchObject({
      status: '421 Misdirected Request',
    });
  });
});

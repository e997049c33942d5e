import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_MAX_MESSAGE_BYTES, type WsServerMessage } from '../../src/shared/api';
import { request } from 'node:http';
import { MAX_CLIENTS, startWebServer, type WebServer } from '../../src/main/server/web-server';
import { Station } from '../../src/main/station/station';
import { ROOT, WORKER_JS } from '../helpers/paths';

const TOKEN = 'correct-horse-battery-staple';
const tmp = mkdtempSync(join(tmpdir(), 'vs-web-'));
const logs: string[] = [];
let station: Station;
let server: WebServer;

beforeAll(async () => {
  station = new Station({
    backend: 'websocket',
    version: 'test',
    dataDir: tmp,
    projectModelsDir: join(tmp, 'no-models'),
    workerPath: WORKER_JS,
    log: (l) => logs.push(l),
    overrides: { source: 'synthetic:?size=320x180&fps=10', model: 'classic', plc: null },
  });
  await station.start();
  server = await startWebServer({
    station,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    staticDir: join(ROOT, 'out', 'renderer'),
    log: (l) => logs.push(l),
  });
});
afterAll(async () => {
  await server.close();
  await station.close();
  rmSync(tmp, { recursive: true, force: true });
});

const wsUrl = (query = `?token=${TOKEN}`): string => `${server.url.replace('http', 'ws')}ws${query}`;

/** A connected client that collects text messages and counts binary (frame) messages. */
async function connect(query?: string): Promise<{
  ws: WebSocket;
  texts: WsServerMessage[];
  binaries: () => number;
  next: (pred: (m: WsServerMessage) => boolean) => Promise<WsServerMessage>;
}> {
  const ws = new WebSocket(wsUrl(query));
  const texts: WsServerMessage[] = [];
  let binaries = 0;
  const waiters: { pred: (m: WsServerMessage) => boolean; resolve: (m: WsServerMessage) => void }[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      binaries++;
      return;
    }
    const m = JSON.parse(data.toString()) as WsServerMessage;
    texts.push(m);
    for (const w of waiters.splice(0)) {
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (pred: (m: WsServerMessage) => boolean): Promise<WsServerMessage> =>
    new Promise((resolve) => {
      const found = texts.find(pred);
      if (found) resolve(found);
      else waiters.push({ pred, resolve });
    });
  return { ws, texts, binaries: () => binaries, next };
}

/** The HTTP status of a refused WebSocket upgrade (fails when the upgrade succeeds). */
function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      reject(new Error(`upgrade to ${url} was accepted`));
    });
    ws.once('error', () => {});
  });
}

const response = (id: number) => (m: WsServerMessage) => m.type === 'response' && m.id === id;

describe('web server', () => {
  it('serves the built UI with a strict CSP', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // No inline scripts or styles, in the page's meta policy or this header.
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(await res.text()).toContain('<div id="root">');
    expect((await fetch(`${server.url}..%2f..%2fpackage.json`)).status).toBe(403);
  });

  it('refuses a client without the token, and one from another origin, and keeps serving', async () => {
    const noToken = new WebSocket(wsUrl(''));
    const status = await new Promise<number>((resolve) =>
      noToken.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    expect(logs.some((l) => /refused .*missing or wrong access token/.test(l))).toBe(true);

    const foreign = new WebSocket(wsUrl(), { origin: 'http://evil.example' });
    const status2 = await new Promise<number>((resolve) =>
      foreign.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status2).toBe(403);

    const ok = await connect();
    ok.ws.send(JSON.stringify({ id: 1, method: 'getAppInfo', args: [] }));
    expect(await ok.next(response(1))).toEqual({
      type: 'response',
      id: 1,
      ok: true,
      result: { name: 'Vision Station', version: 'test', backend: 'websocket' },
    });
    ok.ws.close();
  });

  it('rejects malformed and invalid messages, logs them, and keeps the connection and the others', async () => {
    const a = await connect();
    const b = await connect();
    b.ws.send(JSON.stringify({ id: 1, method: 'getSnapshot', args: [] }));
    await b.next(response(1));

    a.ws.send('{"id": 1, "method": ');
    expect(await a.next((m) => m.type === 'error')).toMatchObject({
      type: 'error',
      error: expect.stringMatching(/^not JSON/),
    });
    a.ws.send(JSON.stringify({ id: 2, method: 'rm -rf', args: [] }));
    expect(await a.next((m) => m.type === 'error' && /not a request/.test(m.error))).toBeTruthy();
    a.ws.send(JSON.stringify({ id: 3, method: 'setParams', args: [{ confThreshold: 7 }] }));
    expect(await a.next(response(3))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid setParams request: 0\.confThreshold/),
    });
    a.ws.send(Buffer.from([1, 2, 3]));
    expect(await a.next((m) => m.type === 'error' && /binary/.test(m.error))).toBeTruthy();
    expect(logs.filter((l) => l.includes('rejected')).length).toBeGreaterThanOrEqual(4);

    // The same connection still works.
    a.ws.send(JSON.stringify({ id: 4, method: 'setParams', args: [{ confThreshold: 0.5 }] }));
    expect(await a.next(response(4))).toMatchObject({ ok: true, result: { confThreshold: 0.5 } });
    // And the other client got the change pushed.
    expect(await b.next((m) => m.type === 'event' && m.event === 'params')).toMatchObject({
      payload: { confThreshold: 0.5 },
    });
    a.ws.close();
    b.ws.close();
  });

  it('closes a connection that sends an oversized message and keeps serving the others', async () => {
    const big = await connect();
    const other = await connect();
    other.ws.send(JSON.stringify({ id: 1, method: 'getSnapshot', args: [] }));
    await other.next(response(1));
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
    big.ws.send('x'.repeat(WS_MAX_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    await expect.poll(() => logs.some((l) => l.includes('rejected message larger than'))).toBe(true);
    // Frames keep flowing to the other client.
    const before = other.binaries();
    await expect.poll(() => other.binaries(), { timeout: 10_000 }).toBeGreaterThan(before + 2);
    other.ws.close();
  });

  it('generates a token when none is given and accepts only the printed URL', async () => {
    const own = await startWebServer({ station, host: '127.0.0.1', port: 0, staticDir: tmp, log: () => {} });
    try {
      expect(own.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(own.accessUrl).toBe(`${own.url}?token=${own.token}`);
      const wsBase = `${own.url.replace('http', 'ws')}ws`;
      expect(await upgradeStatus(`${wsBase}`)).toBe(401);
      expect(await upgradeStatus(`${wsBase}?token=${TOKEN}`)).toBe(401);
      const printed = new URL(own.accessUrl);
      const ok = new WebSocket(`${wsBase}?token=${printed.searchParams.get('token')}`, {
        origin: `http://${printed.host}`,
      });
      await new Promise<void>((resolve, reject) => {
        ok.once('open', () => resolve());
        ok.once('error', reject);
      });
      ok.close();
    } finally {
      await own.close();
    }
  });

  it('refuses a foreign Host and Origin pair even with the right token (DNS rebinding)', async () => {
    const port = server.port;
    const foreign = { Host: `evil.example:${port}` };
    expect(await upgradeStatus(wsUrl(), { headers: foreign, origin: `http://evil.example:${port}` })).toBe(
      421,
    );
    expect(await upgradeStatus(wsUrl(), { headers: foreign })).toBe(421);
    // Our Host but another site's page.
    expect(await upgradeStatus(wsUrl(), { origin: `http://evil.example:${port}` })).toBe(403);
    // Loopback names of this station are fine.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const c = new WebSocket(wsUrl(), { headers: { Host: host }, origin: `http://${host}` });
      await new Promise<void>((resolve, reject) => {
        c.once('open', () => resolve());
        c.once('error', reject);
      });
      c.close();
    }
    expect(logs.some((l) => /refused .*host "evil\.example:\d+" is not this station/.test(l))).toBe(true);
    // The page itself is not served under a foreign name either.
    const page = await new Promise<number>((resolve, reject) => {
      const r = request(
        { host: '127.0.0.1', port, path: '/', headers: { Host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', reject);
      r.end();
    });
    expect(page).toBe(421);
  });

  it('logs changes to source and PLC with the client address', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ id: 1, method: 'setPlc', args: [{ uri: null }] }));
    await c.next(response(1));
    expect(logs.some((l) => /^websocket 127\.0\.0\.1:\d+: setPlc \[\{"uri":null\}\]: done$/.test(l))).toBe(
      true,
    );
    c.ws.send(
      JSON.stringify({ id: 2, method: 'setSource', args: [{ uri: 'rtsp://user:secret@127.0.0.1:1/x' }] }),
    );
    await c.next(response(2));
    const line = logs.find((l) => l.includes(': setSource '));
    expect(line).toMatch(/^websocket 127\.0\.0\.1:\d+: setSource .*user:\*\*\*@127\.0\.0\.1:1/);
    expect(line).not.toContain('secret');
    c.ws.send(
      JSON.stringify({ id: 3, method: 'setSource', args: [{ uri: 'synthetic:?size=320x180&fps=10' }] }),
    );
    expect(await c.next(response(3))).toMatchObject({ ok: true });
    c.ws.close();
  });

  it('limits connections', async () => {
    await expect.poll(() => server.clientCount).toBe(0);
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < MAX_CLIENTS; i++) open.push((await connect()).ws);
      expect(await upgradeStatus(wsUrl())).toBe(503);
    } finally {
      for (const w of open) w.close();
    }
    await expect.poll(() => server.clientCount).toBe(0);
  });
});

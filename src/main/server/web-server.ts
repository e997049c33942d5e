/**
 * The browser transport: static files of the built renderer plus the station API over a WebSocket
 * at /ws. Every WebSocket client needs the access token (generated at start unless given), a Host
 * header naming this station and, from a browser, this station's Origin (see access.ts). Every
 * message is validated; a bad or oversized one is rejected and logged and the server keeps serving
 * others. Work is bounded: a connection limit, requests in flight per client, and image detection
 * one at a time per client and a few at a time in all. Changes to the source, PLC and model are
 * logged with the client's address.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  STATION_EVENTS,
  WS_MAX_MESSAGE_BYTES,
  type StationEventName,
  type StationEvents,
  type WsServerMessage,
} from '../../shared/api';
import { firstIssue, WsRequestSchema } from '../../shared/api-schemas';
import { encodeFrameMessage, parseWire, stringifyWire } from '../../shared/wire';
import { errorPayload } from '../../shared/station-error';
import { maskCredentials } from '../capture/source-uri';
import type { ClientContext } from '../station/access-gate';
import { dispatch } from '../station/dispatch';
import type { Station } from '../station/station';
import { allowedHostHeaders, checkUpgrade, generateToken } from './access';

export interface WebServerOptions {
  station: Station;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Required from every client; a random one is generated when not given. */
  token?: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  log: (line: string) => void;
}

export interface WebServer {
  /** The page without the token. */
  readonly url: string;
  /** The page with the token: what the operator opens (printed at start). */
  readonly accessUrl: string;
  readonly token: string;
  readonly port: number;
  /** Connected WebSocket clients. */
  readonly clientCount: number;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A client that does not read fast enough gets fewer previews instead of a growing buffer. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Requests a client may have in flight; more are refused (bounded work per client). */
const MAX_IN_FLIGHT = 16;
/** WebSocket clients at once; an operator station needs a handful. */
export const MAX_CLIENTS = 16;
/** Image detections at once over all clients (each decodes up to MAX_DETECT_PIXELS). */
export const MAX_DETECT_IN_FLIGHT = 2;
/** Methods that change what the station does; each call is logged with the client's address. */
const LOGGED_METHODS = new Set(['setSource', 'setPlc', 'swapModel', 'setParams', 'acknowledgeAlarm']);

interface Client {
  ws: WebSocket;
  address: string;
  subscribed: boolean;
  inFlight: number;
  detecting: boolean;
  skippedFrames: number;
  /** This connection's session (held on the station side, never in a message). */
  context: ClientContext;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? generateToken();
  const root = resolve(opts.staticDir);
  const clients = new Set<Client>();
  let detectInFlight = 0;
  // Filled in once the port is known (port 0 picks one).
  let allowedHosts = new Set<string>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      // Pages are served only under the station's own names (no DNS-rebound copy of the UI).
      if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end('not this station');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const path = normalize(join(root, rel));
      if (path !== root && !path.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(path).pipe(res);
    })().catch(() => res.destroy());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });

  const refuseUpgrade = (socket: Duplex, status: string, why: string, req: IncomingMessage): void => {
    opts.log(`websocket: refused ${req.socket.remoteAddress ?? '?'}: ${why}`);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, '404 Not Found', `path ${url.pathname}`, req);
    const refusal = checkUpgrade({
      hostHeader: req.headers.host,
      origin: req.headers.origin,
      token: url.searchParams.get('token'),
      expectedToken: token,
      allowedHosts,
    });
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.why, req);
    if (clients.size >= MAX_CLIENTS)
      return refuseUpgrade(socket, '503 Service Unavailable', `already ${MAX_CLIENTS} clients`, req);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (c: Client, msg: WsServerMessage): void => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(stringifyWire(msg));
  };

  const updateSubscribers = (): void => {
    opts.station.frameSubscribers = [...clients].filter((c) => c.subscribed).length;
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const address = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const client: Client = {
      ws,
      address,
      subscribed: false,
      inFlight: 0,
      detecting: false,
      skippedFrames: 0,
      context: opts.station.gate.attach(`ws ${address}`, (payload) =>
        send(client, { type: 'event', event: 'session', payload }),
      ),
    };
    clients.add(client);
    ws.on('message', (data: RawData, isBinary: boolean) => void onMessage(client, data, isBinary));
    ws.on('error', (e: Error & { code?: string }) => {
      // ws closes the connection itself (1009) when a message exceeds maxPayload.
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        opts.log(
          `websocket ${client.address}: rejected message larger than ${WS_MAX_MESSAGE_BYTES} bytes; connection closed`,
        );
      else opts.log(`websocket ${client.address}: ${e.message}`);
    });
    ws.on('close', () => {
      opts.station.gate.detach(client.context);
      clients.delete(client);
      updateSubscribers();
    });
  });

  const onMessage = async (c: Client, data: RawData, isBinary: boolean): Promise<void> => {
    const reject = (why: string): void => {
      opts.log(`websocket ${c.address}: rejected message: ${why}`);
      send(c, { type: 'error', error: why });
    };
    if (isBinary) return reject('binary messages are not accepted');
    let parsed: unknown;
    try {
      parsed = parseWire(data.toString());
    } catch (e) {
      return reject(`not JSON (${(e as Error).message})`);
    }
    const req = WsRequestSchema.safeParse(parsed);
    if (!req.success) return reject(`not a request: ${firstIssue(req.error)}`);
    const { id, method, args } = req.data;
    if (c.inFlight >= MAX_IN_FLIGHT) {
      opts.log(`websocket ${c.address}: refused ${method}: too many requests in flight`);
      return send(c, {
        type: 'response',
        id,
        ok: false,
        error: `too many requests in flight (max ${MAX_IN_FLIGHT})`,
        code: 'tooManyRequests',
        params: { max: String(MAX_IN_FLIGHT) },
      });
    }
    if (method === 'detectImage') {
      // Decoding a large photo takes hundreds of MB for a moment: one per client, a few in all.
      const busy = c.detecting
        ? 'an image detection from this client is still running'
        : detectInFlight >= MAX_DETECT_IN_FLIGHT
          ? `${MAX_DETECT_IN_FLIGHT} image detections are running; try again shortly`
          : null;
      if (busy) {
        opts.log(`websocket ${c.address}: refused detectImage: ${busy}`);
        return send(c, { type: 'response', id, ok: false, error: busy, code: 'detectBusy', params: {} });
      }
      c.detecting = true;
      detectInFlight++;
    }
    c.inFlight++;
    const logged = LOGGED_METHODS.has(method);
    try {
      const result = await dispatch(opts.station, method, args, c.context);
      if (logged) opts.log(`websocket ${c.address}: ${method} ${describeArgs(args)}: done`);
      if (method === 'getSnapshot' && !c.subscribed) {
        c.subscribed = true;
        updateSubscribers();
      }
      send(c, { type: 'response', id, ok: true, result });
    } catch (e) {
      const error = (e as Error).message;
      if ((e as Error).name === 'BadRequestError' || (e as Error).name === 'AccessError')
        opts.log(`websocket ${c.address}: rejected ${method}: ${error}`);
      else if (logged) opts.log(`websocket ${c.address}: ${method} ${describeArgs(args)}: failed: ${error}`);
      send(c, { type: 'response', id, ok: false, ...errorPayload(e) });
    } finally {
      c.inFlight--;
      if (method === 'detectImage') {
        c.detecting = false;
        detectInFlight--;
      }
    }
  };

  // Station events fan out to subscribed clients.
  const listeners: { event: StationEventName; fn: (payload: never) => void }[] = [];
  for (const event of STATION_EVENTS) {
    const fn = (payload: StationEvents[typeof event]): void => {
      let bytes: Uint8Array | null = null;
      for (const c of clients) {
        if (!c.subscribed || c.ws.readyState !== c.ws.OPEN) continue;
        if (event === 'frame') {
          if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            c.skippedFrames++;
            continue;
          }
          bytes ??= encodeFrameMessage(payload as StationEvents['frame']);
          c.ws.send(bytes);
        } else {
          send(c, { type: 'event', event, payload } as WsServerMessage);
        }
      }
    };
    opts.station.on(event, fn as never);
    listeners.push({ event, fn: fn as never });
  }

  await new Promise<void>((resolvePromise, rejectPromise) => {
    server.once('error', rejectPromise);
    server.listen(opts.port, opts.host, () => {
      server.off('error', rejectPromise);
      resolvePromise();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  allowedHosts = allowedHostHeaders(opts.host, port);
  const url = `http://${hostForUrl}:${port}/`;

  return {
    url,
    accessUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    port,
    get clientCount() {
      return clients.size;
    },
    async close() {
      for (const l of listeners) opts.station.off(l.event, l.fn as never);
      for (const c of clients) c.ws.terminate();
      clients.clear();
      updateSubscribers();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The arguments of a logged change, short and without passwords. */
function describeArgs(args: unknown[]): string {
  const text = JSON.stringify(args) ?? '';
  const masked = maskCredentials(text);
  return masked.length > 300 ? `${masked.slice(0, 300)}...` : masked;
}

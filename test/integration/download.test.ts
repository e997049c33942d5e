/**
 * Model download against a real HTTP server on 127.0.0.1: every failure leaves the destination
 * folder exactly as it was (no temporary file, no half model) and says why.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  catalogueEntry,
  downloadCatalogueModel,
  downloadModel,
  DownloadError,
  MODEL_CATALOGUE,
  type DownloadProgress,
} from '../../src/main/models/download';

/** 300 KiB of deterministic bytes: several chunks on the wire, so progress has steps. */
const BODY = Buffer.alloc(300 * 1024);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 7919 + (i >> 9)) & 0xff;
const BODY_SHA256 = createHash('sha256').update(BODY).digest('hex');

let server: Server;
let base: string;
let requests: string[] = [];
/** Responses left open on purpose (stalled), ended when the test is over. */
const openResponses: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    switch (req.url) {
      case '/model.onnx':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
        // Written in pieces so the client sees several chunks.
        for (let off = 0; off < BODY.length; off += 64 * 1024) res.write(BODY.subarray(off, off + 64 * 1024));
        res.end();
        return;
      case '/no-length.onnx':
        // Chunked transfer: no Content-Length, the size is only known at the end.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(BODY);
        return;
      case '/redirect':
        res.writeHead(302, { location: '/hop' });
        res.end();
        return;
      case '/hop':
        res.writeHead(307, { location: `${base}/model.onnx` });
        res.end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      case '/cut':
        res.writeHead(200, { 'content-length': BODY.length });
        // Half the body, then the connection drops, as when a cable is pulled.
        res.write(BODY.subarray(0, BODY.length / 2), () => res.socket?.destroy());
        return;
      case '/stall':
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 1000));
        openResponses.push(res);
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not here');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vs-download-'));
  requests = [];
});
afterEach(() => {
  for (const res of openResponses.splice(0)) res.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<DownloadError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DownloadError);
  return e as DownloadError;
}

describe('downloadModel', () => {
  it('downloads, reports progress up to the full size, and leaves only the model in the folder', async () => {
    const progress: DownloadProgress[] = [];
    const dest = join(dir, 'model.onnx');
    const result = await downloadModel({
      url: `${base}/model.onnx`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
      destPath: dest,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ path: dest, sizeBytes: BODY.length, sha256: BODY_SHA256 });
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ receivedBytes: BODY.length, totalBytes: BODY.length });
    for (let k = 1; k < progress.length; k++)
      expect(progress[k].receivedBytes).toBeGreaterThan(progress[k - 1].receivedBytes);
  });

  it('follows redirects (as GitHub release downloads do), and a body without Content-Length', async () => {
    const dest = join(dir, 'sub', 'folder', 'model.onnx');
    await downloadModel({
      url: `${base}/redirect`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
      destPath: dest,
    });
    expect(requests).toEqual(['/redirect', '/hop', '/model.onnx']);
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    await downloadModel({
      url: `${base}/no-length.onnx`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
      destPath: join(dir, 'b.onnx'),
    });
    expect(readdirSync(dir).sort()).toEqual(['b.onnx', 'sub']);
  });

  it('a wrong hash leaves no file and says so', async () => {
    const wrong = createHash('sha256').update('something else').digest('hex');
    const e = await failure(
      downloadModel({
        url: `${base}/model.onnx`,
        sha256: wrong,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e.reason).toBe('hash-mismatch');
    expect(e.message).toContain(`SHA-256 of ${base}/model.onnx is ${BODY_SHA256}, expected ${wrong}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a connection cut mid-body leaves no file and says how far it got', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/cut`,
        sha256: BODY_SHA256,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e.reason).toBe('connection');
    expect(e.message).toMatch(
      new RegExp(`^connection to ${base}/cut (closed|failed) after \\d+ of ${BODY.length} bytes`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an HTTP 404 leaves no file and names the status', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/missing.onnx`,
        sha256: BODY_SHA256,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e.reason).toBe('http-status');
    expect(e.message).toBe(`HTTP 404 Not Found from ${base}/missing.onnx`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a size other than pinned is refused from the Content-Length, before the body', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/model.onnx`,
        sha256: BODY_SHA256,
        sizeBytes: BODY.length + 1,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e.reason).toBe('size-mismatch');
    expect(e.message).toContain(`is ${BODY.length} bytes, expected ${BODY.length + 1}`);
    expect(readdirSync(dir)).toEqual([]);
    // Without a Content-Length the excess is caught while streaming.
    const e2 = await failure(
      downloadModel({
        url: `${base}/no-length.onnx`,
        sha256: BODY_SHA256,
        sizeBytes: 1000,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e2.reason).toBe('size-mismatch');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a server that stops sending times out, leaving no file', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/stall`,
        sha256: BODY_SHA256,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
        timeoutMs: 150,
      }),
    );
    expect(e.reason).toBe('timeout');
    expect(e.message).toBe(`no data from ${base}/stall for 150 ms after 1000 of ${BODY.length} bytes`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('can be cancelled mid-body, leaving no file', async () => {
    const controller = new AbortController();
    const p = downloadModel({
      url: `${base}/stall`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
      destPath: join(dir, 'model.onnx'),
      signal: controller.signal,
      // The first bytes arriving is the event that triggers the cancel.
      onProgress: () => controller.abort(),
    });
    const e = await failure(p);
    expect(e.reason).toBe('aborted');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops after a bounded number of redirects', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/loop`,
        sha256: BODY_SHA256,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
        maxRedirects: 3,
      }),
    );
    expect(e.reason).toBe('too-many-redirects');
    expect(requests).toHaveLength(4);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps an existing model intact when a new download fails, and replaces it when one succeeds', async () => {
    const dest = join(dir, 'model.onnx');
    writeFileSync(dest, 'old model');
    await failure(
      downloadModel({ url: `${base}/cut`, sha256: BODY_SHA256, sizeBytes: BODY.length, destPath: dest }),
    );
    expect(readFileSync(dest, 'utf8')).toBe('old model');
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    await downloadModel({
      url: `${base}/model.onnx`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
      destPath: dest,
    });
    expect(readFileSync(dest).equals(BODY)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('refuses, without any request, to download what it cannot verify', async () => {
    const e = await failure(
      downloadModel({
        url: `${base}/model.onnx`,
        sha256: null,
        sizeBytes: BODY.length,
        destPath: join(dir, 'model.onnx'),
      }),
    );
    expect(e.reason).toBe('unverified');
    expect(e.message).toMatch(/SHA-256 is not pinned/);
    const e2 = await failure(
      downloadModel({
        url: 'ftp://example.invalid/x.onnx',
        sha256: BODY_SHA256,
        sizeBytes: 1,
        destPath: join(dir, 'x.onnx'),
      }),
    );
    expect(e2.reason).toBe('bad-request');
    expect(requests).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('model catalogue', () => {
  it('pins the official YOLOX-Nano and YOLOX-S release files with size and hash', () => {
    expect(MODEL_CATALOGUE.map((e) => e.id)).toEqual(['yolox-nano', 'yolox-s']);
    for (const e of MODEL_CATALOGUE) {
      expect(e.url).toBe(
        `https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/${e.fileName}`,
      );
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.sizeBytes).toBeGreaterThan(1_000_000);
      expect(e.licence).toMatch(/^Apache-2\.0/);
      expect(e.sidecar).toMatchObject({
        family: 'yolox',
        task: 'detect',
        preprocess: { channelOrder: 'bgr', padCentred: false },
      });
      expect(e.sidecar.names).toHaveLength(80);
    }
    expect(() => catalogueEntry('yolov8n')).toThrow(/unknown model "yolov8n"; known: yolox-nano, yolox-s/);
  });

  it('downloadCatalogueModel writes the model and its sidecar, and a mirror must serve the pinned file', async () => {
    const entry = {
      ...catalogueEntry('yolox-nano'),
      url: `${base}/model.onnx`,
      sha256: BODY_SHA256,
      sizeBytes: BODY.length,
    };
    const result = await downloadCatalogueModel(entry, dir);
    expect(readdirSync(dir).sort()).toEqual(['yolox_nano.json', 'yolox_nano.onnx']);
    expect(result.sidecarPath).toBe(join(dir, 'yolox_nano.json'));
    expect(JSON.parse(readFileSync(result.sidecarPath, 'utf8'))).toEqual(entry.sidecar);

    // The real pinned hash cannot match the test body: the mirror's file is refused, nothing written.
    const other = mkdtempSync(join(tmpdir(), 'vs-download-'));
    try {
      const e = await failure(
        downloadCatalogueModel('yolox-nano', other, { mirrorUrl: `${base}/model.onnx` }),
      );
      expect(e.reason).toBe('size-mismatch');
      expect(readdirSync(other)).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

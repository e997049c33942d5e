/**
 * Downloads a known-good Apache-2.0 model on request (a fresh machine has no models at all).
 *
 * Nothing here touches the network until `downloadModel` / `downloadCatalogueModel` is called.
 * A download is accepted only when its size and SHA-256 match what the catalogue pins: the bytes
 * go to a temporary file in the destination folder (same filesystem, so the final rename is
 * atomic), are flushed to disk, and only then renamed over the destination. On any failure the
 * temporary file is removed and the promise rejects with a `DownloadError` saying why, so a
 * half-written or wrong model never appears under its real name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, dirname, join, resolve } from 'node:path';
import { COCO80_NAMES } from '../core/names';
import type { Sidecar } from '../inference/sidecar';

export interface ModelCatalogueEntry {
  id: string;
  /** Shown to users. */
  title: string;
  fileName: string;
  url: string;
  /** Lower-case hex SHA-256 of the file, or null when not yet pinned (download refuses to run). */
  sha256: string | null;
  /** Exact file size in bytes, or null when not yet pinned (download refuses to run). */
  sizeBytes: number | null;
  licence: string;
  /** Written next to the model as `<name>.json`: YOLOX release files carry no ONNX metadata. */
  sidecar: Sidecar;
}

const YOLOX_LICENCE = 'Apache-2.0 (Megvii-BaseDetection/YOLOX, release 0.1.1rc0)';
/** YOLOX release exports take BGR 0..255 with the image at the top-left and 114 padding. */
const YOLOX_PREPROCESS = { channelOrder: 'bgr', pixelScale: 1, padCentred: false, padValue: 114 } as const;

/**
 * Official YOLOX release files. Sizes and hashes were cross-checked against several independent
 * projects that pin the same release assets (and, for YOLOX-S, the OpenCV Zoo LFS pointer of the
 * identical file); they could not be fetched from here, so a mismatch on first real download
 * fails safe rather than installing an unverified file.
 */
export const MODEL_CATALOGUE: readonly ModelCatalogueEntry[] = Object.freeze([
  {
    id: 'yolox-nano',
    title: 'YOLOX-Nano (COCO, 416×416, 0.91 M parameters)',
    fileName: 'yolox_nano.onnx',
    url: 'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.onnx',
    sha256: 'c789161ed43c8269fcd4e67c67eeeb4e80c622da2eb296a20bc6007bd18a0b7d',
    sizeBytes: 3_659_407,
    licence: YOLOX_LICENCE,
    sidecar: {
      family: 'yolox',
      task: 'detect',
      inputWidth: 416,
      inputHeight: 416,
      names: [...COCO80_NAMES],
      licence: YOLOX_LICENCE,
      preprocess: { ...YOLOX_PREPROCESS },
    },
  },
  {
    id: 'yolox-s',
    title: 'YOLOX-S (COCO, 640×640, 9.0 M parameters)',
    fileName: 'yolox_s.onnx',
    url: 'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_s.onnx',
    sha256: 'c5c2d13e59ae883e6af3b45daea64af4833a4951c92d116ec270d9ddbe998063',
    sizeBytes: 35_858_002,
    licence: YOLOX_LICENCE,
    sidecar: {
      family: 'yolox',
      task: 'detect',
      inputWidth: 640,
      inputHeight: 640,
      names: [...COCO80_NAMES],
      licence: YOLOX_LICENCE,
      preprocess: { ...YOLOX_PREPROCESS },
    },
  },
]);

export function catalogueEntry(id: string): ModelCatalogueEntry {
  const entry = MODEL_CATALOGUE.find((e) => e.id === id);
  if (!entry)
    throw new DownloadError(
      'bad-request',
      `unknown model "${id}"; known: ${MODEL_CATALOGUE.map((e) => e.id).join(', ')}`,
    );
  return entry;
}

export type DownloadFailure =
  | 'bad-request'
  | 'unverified'
  | 'http-status'
  | 'too-many-redirects'
  | 'insecure-redirect'
  | 'size-mismatch'
  | 'hash-mismatch'
  | 'connection'
  | 'timeout'
  | 'aborted'
  | 'filesystem';

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
}

export interface DownloadModelOptions {
  url: string;
  /** Expected lower-case hex SHA-256; null refuses to download (nothing to check against). */
  sha256: string | null;
  /** Expected exact size; null refuses to download. */
  sizeBytes: number | null;
  destPath: string;
  /** Called as bytes arrive (at most once per received chunk) and once at the end. */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Longest wait for the next event (connect, headers, next bytes), not the whole transfer. */
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface DownloadResult {
  path: string;
  sizeBytes: number;
  sha256: string;
  durationMs: number;
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 5;
/** No catalogue model is anywhere near this; it bounds what a wrong `sizeBytes` could make us write. */
export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function checkOptions(o: DownloadModelOptions): URL {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new DownloadError('bad-request', `not a URL: ${o.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DownloadError(
      'bad-request',
      `only http and https downloads are supported, got ${url.protocol}`,
    );
  if (o.sha256 === null || o.sizeBytes === null) {
    throw new DownloadError(
      'unverified',
      `refusing to download ${o.url}: its ${o.sha256 === null ? 'SHA-256' : 'size'} is not pinned, so the file could not be verified`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(o.sha256))
    throw new DownloadError('bad-request', `sha256 must be 64 lower-case hex digits, got "${o.sha256}"`);
  if (!Number.isInteger(o.sizeBytes) || o.sizeBytes < 1 || o.sizeBytes > MAX_DOWNLOAD_BYTES) {
    throw new DownloadError(
      'bad-request',
      `sizeBytes must be an integer in [1, ${MAX_DOWNLOAD_BYTES}], got ${o.sizeBytes}`,
    );
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  if (!(timeoutMs >= 1 && timeoutMs <= 3_600_000))
    throw new DownloadError('bad-request', `timeoutMs must be in [1, 3600000], got ${timeoutMs}`);
  const maxRedirects = o.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > 20)
    throw new DownloadError('bad-request', `maxRedirects must be an integer in [0, 20], got ${maxRedirects}`);
  return url;
}

function describeUrl(url: URL): string {
  // Signed redirect targets carry credentials in the query string: keep them out of messages.
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Downloads `url` to `destPath`, checking size and hash; see the module comment for guarantees.
 * Rejects with a DownloadError whose `reason` says what went wrong.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadResult> {
  const startMs = performance.now();
  const firstUrl = checkOptions(options);
  const expectedSize = options.sizeBytes as number;
  const expectedSha = options.sha256 as string;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (options.signal?.aborted) throw new DownloadError('aborted', 'download cancelled before it started');

  const destPath = resolve(options.destPath);
  const destDir = dirname(destPath);
  // A dot-name in the same folder: hidden from listings, and rename() stays on one filesystem.
  const tempPath = join(
    destDir,
    `.${basename(destPath)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await mkdir(destDir, { recursive: true });
  } catch (e) {
    throw new DownloadError('filesystem', `cannot create ${destDir}: ${(e as Error).message}`, { cause: e });
  }

  let file;
  try {
    file = await open(tempPath, 'wx');
  } catch (e) {
    throw new DownloadError('filesystem', `cannot write in ${destDir}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  let fileClosed = false;
  try {
    const response = await fetchFollowingRedirects(firstUrl, maxRedirects, timeoutMs, options.signal);
    const sha256 = await receiveBody(
      response.res,
      response.url,
      file,
      expectedSize,
      timeoutMs,
      options.signal,
      options.onProgress,
    );
    if (sha256 !== expectedSha) {
      throw new DownloadError(
        'hash-mismatch',
        `SHA-256 of ${describeUrl(response.url)} is ${sha256}, expected ${expectedSha}: the file is not the pinned model`,
      );
    }
    await file.sync();
    await file.close();
    fileClosed = true;
    await rename(tempPath, destPath);
    return { path: destPath, sizeBytes: expectedSize, sha256, durationMs: performance.now() - startMs };
  } catch (e) {
    if (!fileClosed) await file.close().catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
    if (e instanceof DownloadError) throw e;
    throw new DownloadError('filesystem', `writing ${destPath} failed: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

interface OpenResponse {
  res: IncomingMessage;
  url: URL;
}

async function fetchFollowingRedirects(
  firstUrl: URL,
  maxRedirects: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<OpenResponse> {
  let url = firstUrl;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, timeoutMs, signal);
    const status = res.statusCode ?? 0;
    if (REDIRECT_STATUSES.has(status)) {
      res.resume(); // drain so the socket is released
      const location = res.headers.location;
      if (!location)
        throw new DownloadError(
          'http-status',
          `HTTP ${status} from ${describeUrl(url)} without a Location header`,
        );
      if (hop >= maxRedirects)
        throw new DownloadError(
          'too-many-redirects',
          `more than ${maxRedirects} redirects starting at ${describeUrl(firstUrl)}`,
        );
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new DownloadError('insecure-redirect', `redirect to unsupported ${next.protocol} URL`);
      if (url.protocol === 'https:' && next.protocol === 'http:')
        throw new DownloadError(
          'insecure-redirect',
          `refusing redirect from https to plain http (${describeUrl(next)})`,
        );
      url = next;
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new DownloadError(
        'http-status',
        `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} from ${describeUrl(url)}`,
      );
    }
    return { res, url };
  }
}

function requestOnce(url: URL, timeoutMs: number, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, {
      method: 'GET',
      headers: { 'user-agent': 'vision-station-model-download', accept: 'application/octet-stream' },
      signal,
    });
    // Socket inactivity: covers connecting, waiting for headers and (until handed over) the body.
    req.setTimeout(timeoutMs, () =>
      req.destroy(new DownloadError('timeout', `no answer from ${describeUrl(url)} within ${timeoutMs} ms`)),
    );
    req.once('response', (res) => {
      // From here the body has its own idle timer (receiveBody), with a more precise message.
      req.setTimeout(0);
      resolvePromise(res);
    });
    // `on`, not `once`: a second error after the first (socket teardown) must not go unhandled.
    req.on('error', (e) => reject(asDownloadError(e, url, signal)));
    req.end();
  });
}

function asDownloadError(e: unknown, url: URL, signal: AbortSignal | undefined): DownloadError {
  if (e instanceof DownloadError) return e;
  if (signal?.aborted)
    return new DownloadError('aborted', `download of ${describeUrl(url)} cancelled`, { cause: e });
  const err = e as NodeJS.ErrnoException;
  return new DownloadError(
    'connection',
    `connection to ${describeUrl(url)} failed: ${err.code ?? err.message}`,
    { cause: e },
  );
}

/**
 * Streams the body into `file`, hashing as it goes. Resolves with the hex SHA-256 once exactly
 * `expectedSize` bytes have arrived and the response ended cleanly.
 */
function receiveBody(
  res: IncomingMessage,
  url: URL,
  file: import('node:fs/promises').FileHandle,
  expectedSize: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onProgress: ((p: DownloadProgress) => void) | undefined,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const where = describeUrl(url);
    const declared = res.headers['content-length'];
    if (declared !== undefined && Number(declared) !== expectedSize) {
      res.destroy();
      reject(
        new DownloadError(
          'size-mismatch',
          `${where} is ${declared} bytes, expected ${expectedSize}: not the pinned model`,
        ),
      );
      return;
    }
    const hash = createHash('sha256');
    let received = 0;
    let settled = false;
    let writing: Promise<unknown> = Promise.resolve();
    const fail = (error: DownloadError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      res.destroy();
      // Let an in-flight write finish before the caller closes and deletes the file.
      void writing.finally(() => reject(error));
    };
    const onAbort = (): void =>
      fail(
        new DownloadError(
          'aborted',
          `download of ${where} cancelled after ${received} of ${expectedSize} bytes`,
        ),
      );
    let timer: ReturnType<typeof setTimeout> | null = null;
    const armTimer = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () =>
          fail(
            new DownloadError(
              'timeout',
              `no data from ${where} for ${timeoutMs} ms after ${received} of ${expectedSize} bytes`,
            ),
          ),
        timeoutMs,
      );
    };
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    armTimer();

    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > expectedSize) {
        fail(
          new DownloadError(
            'size-mismatch',
            `${where} sent more than the expected ${expectedSize} bytes: not the pinned model`,
          ),
        );
        return;
      }
      armTimer();
      hash.update(chunk);
      // Back-pressure: pause the socket while the disk catches up; writes stay in order.
      res.pause();
      writing = writing
        .then(() => file.write(chunk))
        .then(
          () => {
            if (settled) return;
            try {
              onProgress?.({ receivedBytes: received, totalBytes: expectedSize });
            } catch (e) {
              fail(
                new DownloadError(
                  'aborted',
                  `download stopped: the progress callback threw (${(e as Error).message})`,
                  { cause: e },
                ),
              );
              return;
            }
            res.resume();
          },
          (e: Error) =>
            fail(new DownloadError('filesystem', `writing the download failed: ${e.message}`, { cause: e })),
        );
    });
    res.once('end', () => {
      void writing.then(() => {
        if (settled) return;
        if (received !== expectedSize) {
          fail(
            new DownloadError(
              'size-mismatch',
              `${where} ended after ${received} bytes, expected ${expectedSize}`,
            ),
          );
          return;
        }
        settled = true;
        cleanup();
        resolvePromise(hash.digest('hex'));
      });
    });
    // 'close' without a complete message: the peer cut the connection mid-body.
    res.once('close', () => {
      if (!res.complete)
        fail(
          new DownloadError(
            'connection',
            `connection to ${where} closed after ${received} of ${expectedSize} bytes`,
          ),
        );
    });
    res.on('error', (e) => {
      if (signal?.aborted) onAbort();
      else
        fail(
          new DownloadError(
            'connection',
            `connection to ${where} failed after ${received} of ${expectedSize} bytes: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
            { cause: e },
          ),
        );
    });
  });
}

/**
 * Downloads a catalogue model into `modelsDir` and writes its sidecar (`<name>.json`) beside it,
 * so the model library knows family, input size, class names and licence without guessing.
 * `mirrorUrl` fetches the same file from elsewhere (a plant's internal server); the pinned size
 * and hash still decide whether it is accepted.
 */
export async function downloadCatalogueModel(
  model: string | ModelCatalogueEntry,
  modelsDir: string,
  options: Pick<DownloadModelOptions, 'onProgress' | 'signal' | 'timeoutMs'> & { mirrorUrl?: string } = {},
): Promise<DownloadResult & { sidecarPath: string }> {
  const entry = typeof model === 'string' ? catalogueEntry(model) : model;
  const { mirrorUrl, ...rest } = options;
  const destPath = join(resolve(modelsDir), entry.fileName);
  const sidecarPath = destPath.replace(/\.onnx$/i, '') + '.json';
  const result = await downloadModel({
    url: mirrorUrl ?? entry.url,
    sha256: entry.sha256,
    sizeBytes: entry.sizeBytes,
    destPath,
    ...rest,
  });
  const tempPath = join(
    dirname(sidecarPath),
    `.${basename(sidecarPath)}.${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await writeFile(tempPath, JSON.stringify(entry.sidecar, null, 2) + '\n', { flag: 'wx' });
    await rename(tempPath, sidecarPath);
  } catch (e) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw new DownloadError(
      'filesystem',
      `the model was saved, but writing ${sidecarPath} failed: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return { ...result, sidecarPath };
}

/**
 * Source URIs (DESIGN.md "Source URIs"), parsed and validated into a discriminated union.
 *
 *   file:PATH[?loop=1&fps=N|max]           a video file; native pace by default
 *   rtsp://... rtsps://...                 IP camera, always over TCP (UDP loses packets on busy LANs)
 *   tcp:// udp:// http:// https://         any network stream ffmpeg can read (e.g. MPEG-TS)
 *   v4l2:/dev/videoN[?size=WxH&fps=N]      Linux camera
 *   dshow:video=NAME[?size=WxH&fps=N]      Windows camera (DirectShow)
 *   avfoundation:INDEX[?size=WxH&fps=N]    macOS camera
 *   images:DIR[?fps=N|max&loop=1]          a folder of pictures as a slideshow (1 fps default)
 *   synthetic:[?size=WxH&fps=N|max]        built-in moving-parts scene, no files needed
 *
 * Errors name the offending part and show a valid example, because the person reading them is
 * usually typing the URI into a config field or a command line.
 */
import { z } from 'zod';
import { SYNTHETIC_MAX_SIDE_PX, SYNTHETIC_MIN_SIDE_PX } from '../core/synthetic-scene';

export type FpsSetting = number | 'max';

export type SourceSpec =
  | {
      kind: 'file';
      path: string;
      loop: boolean;
      /** 'native' plays at the file's own rate. */ fps: FpsSetting | 'native';
    }
  | { kind: 'network'; protocol: NetworkProtocol; url: string }
  | { kind: 'v4l2'; device: string; size?: { widthPx: number; heightPx: number }; fps?: number }
  | { kind: 'dshow'; device: string; size?: { widthPx: number; heightPx: number }; fps?: number }
  | { kind: 'avfoundation'; device: string; size?: { widthPx: number; heightPx: number }; fps?: number }
  | { kind: 'images'; dir: string; loop: boolean; fps: FpsSetting }
  | { kind: 'synthetic'; size: { widthPx: number; heightPx: number }; fps: FpsSetting };

export type SourceKind = SourceSpec['kind'];
export const NETWORK_PROTOCOLS = ['rtsp', 'rtsps', 'tcp', 'udp', 'http', 'https'] as const;
export type NetworkProtocol = (typeof NETWORK_PROTOCOLS)[number];

export const MAX_FPS = 240;
export const MIN_FPS = 0.01;
export const MIN_SIZE_PX = 16;
export const MAX_SIZE_PX = 8192;
export const SYNTHETIC_DEFAULT_SIZE = Object.freeze({ widthPx: 1280, heightPx: 720 });
/** A camera-like rate that still leaves CPU for inference on a small machine. */
export const SYNTHETIC_DEFAULT_FPS = 15;
export const IMAGES_DEFAULT_FPS = 1;

const EXAMPLES: Record<SourceKind, string> = {
  file: 'file:/data/clip.mp4?loop=1&fps=max',
  network: 'rtsp://user:password@192.168.0.10:554/stream1',
  v4l2: 'v4l2:/dev/video0?size=1280x720&fps=30',
  dshow: 'dshow:video=USB Camera?size=1280x720&fps=30',
  avfoundation: 'avfoundation:0?size=1280x720&fps=30',
  images: 'images:/data/photos?fps=2&loop=1',
  synthetic: 'synthetic:?size=1280x720&fps=15',
};

export class SourceUriError extends Error {
  constructor(
    readonly uri: string,
    readonly problems: string[],
  ) {
    super(`Invalid source "${maskCredentials(uri)}": ${problems.join('; ')}`);
    this.name = 'SourceUriError';
  }
}

// ---- query value schemas (strings in, typed values out) --------------------------------------

const boolParam = z
  .string()
  .regex(/^(1|0|true|false|yes|no)$/i, { error: 'must be 1 or 0' })
  .transform((s) => /^(1|true|yes)$/i.test(s));

const fpsNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { error: `must be a number of frames per second, e.g. 15` })
  .transform(Number)
  .pipe(
    z
      .number()
      .min(MIN_FPS, { error: `must be at least ${MIN_FPS}` })
      .max(MAX_FPS, { error: `must be at most ${MAX_FPS}` }),
  );

const fpsOrMax = z.union([z.literal('max').transform(() => 'max' as const), fpsNumber], {
  error: `must be a number of frames per second (${MIN_FPS}..${MAX_FPS}) or "max"`,
});

const sizeParam = z
  .string()
  .regex(/^\d+x\d+$/, { error: 'must be WIDTHxHEIGHT in pixels, e.g. 1280x720' })
  .transform((s) => {
    const [w, h] = s.split('x').map(Number);
    return { widthPx: w, heightPx: h };
  })
  .refine(
    (v) =>
      v.widthPx >= MIN_SIZE_PX &&
      v.heightPx >= MIN_SIZE_PX &&
      v.widthPx <= MAX_SIZE_PX &&
      v.heightPx <= MAX_SIZE_PX,
    {
      error: `width and height must be within ${MIN_SIZE_PX}..${MAX_SIZE_PX} pixels`,
    },
  );

const fileQuery = z.strictObject({ loop: boolParam.optional(), fps: fpsOrMax.optional() });
const deviceQuery = z.strictObject({ size: sizeParam.optional(), fps: fpsNumber.optional() });
const imagesQuery = z.strictObject({ loop: boolParam.optional(), fps: fpsOrMax.optional() });
const syntheticQuery = z.strictObject({ size: sizeParam.optional(), fps: fpsOrMax.optional() });

// ---- helpers ------------------------------------------------------------------------------------

/** Hide the password of `scheme://user:password@host` so URIs can go into logs and the UI. */
export function maskCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*):([^/@\s]*)@/gi, '$1$2:***@');
}

function splitQuery(rest: string): { body: string; query: Record<string, string> | string } {
  const q = rest.indexOf('?');
  if (q < 0) return { body: rest, query: {} };
  const body = rest.slice(0, q);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) {
    if (k in query) return { body, query: `parameter "${k}" is given twice` };
    query[k] = v;
  }
  return { body, query };
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const where = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
    return `${where}${issue.message}`;
  });
}

function parseQuery<S extends z.ZodType>(
  uri: string,
  kind: SourceKind,
  schema: S,
  query: Record<string, string> | string,
): z.output<S> {
  const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '';
  if (typeof query === 'string') throw new SourceUriError(uri, [query, `example: ${EXAMPLES[kind]}`]);
  const r = schema.safeParse(query);
  if (!r.success) {
    throw new SourceUriError(uri, [
      ...formatIssues(r.error),
      `allowed parameters: ${allowed}`,
      `example: ${EXAMPLES[kind]}`,
    ]);
  }
  return r.data;
}

function fail(uri: string, kind: SourceKind | undefined, problem: string): never {
  throw new SourceUriError(uri, kind ? [problem, `example: ${EXAMPLES[kind]}`] : [problem]);
}

function fileUrlPath(input: string, body: string): string {
  // file:///abs/path and file://localhost/abs/path are the RFC 8089 forms; plain file:PATH is ours.
  if (body.startsWith('//')) {
    let p: string;
    try {
      p = decodeURIComponent(new URL(`file:${body}`).pathname);
    } catch {
      // new URL throws TypeError, decodeURIComponent URIError (e.g. "%E0"): both are bad input.
      fail(input, 'file', 'not a valid file:// URL; write file:/path/to/clip.mp4');
    }
    // file:///C:/x → /C:/x on Windows paths; drop the leading slash before a drive letter.
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  }
  return body;
}

// ---- parser -------------------------------------------------------------------------------------

const SCHEMES = [
  'file',
  'rtsp',
  'rtsps',
  'tcp',
  'udp',
  'http',
  'https',
  'v4l2',
  'dshow',
  'avfoundation',
  'images',
  'synthetic',
];

/** Parse a source URI. Throws `SourceUriError` whose message says what is wrong and how it should look. */
export function parseSourceUri(input: string): SourceSpec {
  const uri = input.trim();
  if (uri === '') fail(input, undefined, `empty source; use one of: ${Object.values(EXAMPLES).join(', ')}`);
  if (uri.length > 4096) fail(input.slice(0, 64), undefined, 'source URI is longer than 4096 characters');
  if (uri === 'synthetic')
    return { kind: 'synthetic', size: { ...SYNTHETIC_DEFAULT_SIZE }, fps: SYNTHETIC_DEFAULT_FPS };

  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  // A bare Windows drive path (C:\x) parses as scheme "c": treat single letters as "no scheme".
  if (!m || m[1].length === 1) {
    fail(
      input,
      undefined,
      `no scheme; a video file is written file:${uri}, a camera e.g. v4l2:/dev/video0. Known schemes: ${SCHEMES.join(', ')}`,
    );
  }
  const scheme = m[1].toLowerCase();
  const rest = m[2];

  switch (scheme) {
    case 'file': {
      const { body, query } = splitQuery(rest);
      const path = fileUrlPath(input, body);
      if (path === '') fail(input, 'file', 'missing file path after "file:"');
      const q = parseQuery(input, 'file', fileQuery, query);
      return { kind: 'file', path, loop: q.loop ?? false, fps: q.fps ?? 'native' };
    }
    case 'rtsp':
    case 'rtsps':
    case 'tcp':
    case 'udp':
    case 'http':
    case 'https': {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        fail(input, 'network', `not a valid ${scheme} URL`);
      }
      if (!rest.startsWith('//')) fail(input, 'network', `${scheme} URLs start with ${scheme}://`);
      if (url.hostname === '') fail(input, 'network', `missing host in ${scheme}:// URL`);
      if ((scheme === 'tcp' || scheme === 'udp') && url.port === '')
        fail(input, 'network', `${scheme}:// needs a port, e.g. ${scheme}://192.168.0.10:5000`);
      return { kind: 'network', protocol: scheme, url: uri };
    }
    case 'v4l2': {
      const { body, query } = splitQuery(rest);
      if (!body.startsWith('/dev/'))
        fail(
          input,
          'v4l2',
          `the device must be a path under /dev/ (got "${body}"), e.g. /dev/video0 or /dev/v4l/by-id/...`,
        );
      const q = parseQuery(input, 'v4l2', deviceQuery, query);
      return {
        kind: 'v4l2',
        device: body,
        ...(q.size ? { size: q.size } : {}),
        ...(q.fps !== undefined ? { fps: q.fps } : {}),
      };
    }
    case 'dshow': {
      const { body, query } = splitQuery(rest);
      if (!/^video=.+/.test(body))
        fail(
          input,
          'dshow',
          'DirectShow devices are written video=NAME, with NAME as listed by: ffmpeg -list_devices true -f dshow -i dummy',
        );
      const q = parseQuery(input, 'dshow', deviceQuery, query);
      return {
        kind: 'dshow',
        device: body,
        ...(q.size ? { size: q.size } : {}),
        ...(q.fps !== undefined ? { fps: q.fps } : {}),
      };
    }
    case 'avfoundation': {
      const { body, query } = splitQuery(rest);
      if (body === '')
        fail(
          input,
          'avfoundation',
          'missing device index or name; list them with: ffmpeg -f avfoundation -list_devices true -i ""',
        );
      const q = parseQuery(input, 'avfoundation', deviceQuery, query);
      return {
        kind: 'avfoundation',
        device: body,
        ...(q.size ? { size: q.size } : {}),
        ...(q.fps !== undefined ? { fps: q.fps } : {}),
      };
    }
    case 'images': {
      const { body, query } = splitQuery(rest);
      if (body === '') fail(input, 'images', 'missing folder after "images:"');
      const q = parseQuery(input, 'images', imagesQuery, query);
      return { kind: 'images', dir: body, loop: q.loop ?? false, fps: q.fps ?? IMAGES_DEFAULT_FPS };
    }
    case 'synthetic': {
      const { body, query } = splitQuery(rest);
      if (body !== '')
        fail(input, 'synthetic', `synthetic takes no path (got "${body}"); options go after "?"`);
      const q = parseQuery(input, 'synthetic', syntheticQuery, query);
      if (
        q.size &&
        [q.size.widthPx, q.size.heightPx].some((v) => v < SYNTHETIC_MIN_SIDE_PX || v > SYNTHETIC_MAX_SIDE_PX)
      ) {
        fail(
          input,
          'synthetic',
          `size: the synthetic scene renders ${SYNTHETIC_MIN_SIDE_PX}..${SYNTHETIC_MAX_SIDE_PX} pixels per side`,
        );
      }
      return {
        kind: 'synthetic',
        size: q.size ?? { ...SYNTHETIC_DEFAULT_SIZE },
        fps: q.fps ?? SYNTHETIC_DEFAULT_FPS,
      };
    }
    default:
      return fail(input, undefined, `unknown scheme "${scheme}:"; known schemes: ${SCHEMES.join(', ')}`);
  }
}

/** zod schema accepting a source URI string and producing a `SourceSpec`, for config schemas. */
export const sourceUriSchema = z.string().transform((s, ctx) => {
  try {
    return parseSourceUri(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof SourceUriError ? e.message : String(e) });
    return z.NEVER;
  }
});

/** One-line description for logs and the UI, with credentials masked. */
export function describeSource(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'file':
      return `file ${spec.path} (${spec.fps === 'native' ? 'native pace' : spec.fps === 'max' ? 'as fast as possible' : `${spec.fps} fps`}${spec.loop ? ', looping' : ''})`;
    case 'network':
      return `${spec.protocol} stream ${maskCredentials(spec.url)}`;
    case 'v4l2':
    case 'dshow':
    case 'avfoundation':
      return `${spec.kind} camera ${spec.device}${spec.size ? ` ${spec.size.widthPx}x${spec.size.heightPx}` : ''}${spec.fps ? ` @${spec.fps} fps` : ''}`;
    case 'images':
      return `images in ${spec.dir} (${spec.fps === 'max' ? 'as fast as possible' : `${spec.fps} fps`}${spec.loop ? ', looping' : ''})`;
    case 'synthetic':
      return `synthetic scene ${spec.size.widthPx}x${spec.size.heightPx} @${spec.fps === 'max' ? 'max' : spec.fps} fps`;
  }
}

/**
 * Which sources a client of the station (UI, WebSocket) may choose: files and picture folders only
 * under the media folders an engineer configured, network streams only of allowed schemes, cameras
 * only under /dev/. The command line's own `--source` is not checked here: whoever types it already
 * has the files.
 *
 * "Not there" and "not allowed" give the same message, so the API cannot be used to probe which
 * files exist on the station.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve, sep } from 'node:path';
import { NETWORK_PROTOCOLS, parseSourceUri, type NetworkProtocol } from './source-uri';

export interface SourcePolicy {
  /** Folders whose files and sub-folders may be used as file: and images: sources. */
  mediaDirs: readonly string[];
  /** Network schemes allowed (rtsp, rtsps by default). */
  networkSchemes: readonly NetworkProtocol[];
}

export const DEFAULT_NETWORK_SCHEMES: readonly NetworkProtocol[] = ['rtsp', 'rtsps'];

export class SourceNotAllowedError extends Error {
  override name = 'SourceNotAllowedError';
}

/** The demo folder of the install and the recordings folder under the data dir. */
export function defaultMediaDirs(paths: { demoDir?: string | null; dataDir: string }): string[] {
  return [...(paths.demoDir ? [paths.demoDir] : []), join(paths.dataDir, 'recordings')];
}

export function defaultSourcePolicy(paths: { demoDir?: string | null; dataDir: string }): SourcePolicy {
  return { mediaDirs: defaultMediaDirs(paths), networkSchemes: DEFAULT_NETWORK_SCHEMES };
}

/** The policy widened by the settings file's `media` section (more folders, more schemes). */
export function extendPolicy(
  policy: SourcePolicy,
  extra: { dirs: readonly string[]; allowSchemes: readonly NetworkProtocol[] },
): SourcePolicy {
  return {
    mediaDirs: [...policy.mediaDirs, ...extra.dirs],
    networkSchemes: [...new Set([...policy.networkSchemes, ...extra.allowSchemes])],
  };
}

export function isNetworkProtocol(s: string): s is NetworkProtocol {
  return (NETWORK_PROTOCOLS as readonly string[]).includes(s);
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

/** True when `path` (links resolved) is an entry of the wanted type inside one of the folders. */
async function insideMediaDirs(
  path: string,
  dirs: readonly string[],
  want: 'file' | 'dir',
): Promise<boolean> {
  if (!isAbsolute(path)) return false;
  const real = await realpathOrNull(path);
  if (real === null) return false;
  let inside = false;
  for (const d of dirs) {
    const root = await realpathOrNull(resolve(d));
    if (root !== null && (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)))
      inside = true;
  }
  if (!inside) return false;
  const st = await stat(real).catch(() => null);
  return want === 'file' ? st?.isFile() === true : st?.isDirectory() === true;
}

/** Throws `SourceUriError` for a malformed URI and `SourceNotAllowedError` for one this station refuses. */
export async function checkSourceAllowed(uri: string, policy: SourcePolicy): Promise<void> {
  const spec = parseSourceUri(uri);
  const unavailable = (what: string): SourceNotAllowedError =>
    new SourceNotAllowedError(
      `${what} is not available to the station: sources must be absolute paths inside the media folders (${policy.mediaDirs.join(', ')})`,
    );
  switch (spec.kind) {
    case 'file':
      if (!(await insideMediaDirs(spec.path, policy.mediaDirs, 'file')))
        throw unavailable(`file ${spec.path}`);
      return;
    case 'images':
      if (!(await insideMediaDirs(spec.dir, policy.mediaDirs, 'dir')))
        throw unavailable(`folder ${spec.dir}`);
      return;
    case 'network':
      if (!policy.networkSchemes.includes(spec.protocol))
        throw new SourceNotAllowedError(
          `${spec.protocol}:// sources are not allowed on this station (allowed: ${policy.networkSchemes.join(', ') || 'none'}); an engineer can allow more with serve --allow-scheme`,
        );
      return;
    case 'v4l2':
      // "/dev/../home/x" passes the parser's prefix check; only real device paths may be opened.
      if (!posix.normalize(spec.device).startsWith('/dev/'))
        throw new SourceNotAllowedError(`camera ${spec.device} is not a device under /dev/`);
      return;
    case 'dshow':
    case 'avfoundation':
    case 'synthetic':
      return;
  }
}

/**
 * The same rule for other files a client names (e.g. a labelled set): a file or folder inside one
 * of `dirs`, links resolved. Same message whether missing or outside.
 */
export async function checkPathAllowed(path: string, dirs: readonly string[], what: string): Promise<void> {
  if ((await insideMediaDirs(path, dirs, 'file')) || (await insideMediaDirs(path, dirs, 'dir'))) return;
  throw new SourceNotAllowedError(
    `${what} ${path} is not available to the station: it must be an absolute path inside ${dirs.join(', ')}`,
  );
}

/**
 * Errors the station returns to a client, with a stable code and parameters so the UI can say
 * them in the screen's language (i18n keys `errors.<code>`). The English message stays the
 * error's message, for the command line, the logs and clients that do not know the code.
 *
 * Over the WebSocket a refused request carries `code` and `params` beside `error`. Electron's IPC
 * passes only an error's message, so there the code travels in a marker at the end of the message
 * (encodeIpcError / decodeStationError).
 */

/** Every code and the names of its parameters (the translations use exactly these). */
export const ERROR_CODES = {
  requestInvalid: ['method', 'issue'],
  tooManyRequests: ['max'],
  detectBusy: [],
  untrustedSender: [],
  noAnswer: ['method', 's'],
  sourceUriInvalid: ['uri', 'reason'],
  sourceNotAllowed: ['uri', 'reason'],
  sourceSwitchFailed: ['uri', 'reason'],
  modelNotFound: ['id'],
  modelUnusable: ['name', 'reason'],
  modelSwapFailed: ['name', 'reason'],
  modelNotFile: ['name'],
  noPreviousParams: [],
  plcUriInvalid: ['reason'],
  trackingInvalid: ['reason'],
  shiftsInvalid: ['reason'],
  // Roles (the access gate): the refusals an operator meets most.
  notLoggedIn: ['method', 'role'],
  loggedOutIdle: ['method', 'role'],
  forbidden: ['method', 'role', 'user', 'userRole'],
  unknownMethod: ['method'],
  loginRefused: ['reason'],
  noUsersYet: [],
  recipeNotApproved: ['recipe'],
  // Any other failure of a request: the method and the station's reason.
  actionFailed: ['method', 'reason'],
  cameraNotFound: ['camera', 'cameras'],
} as const satisfies Record<string, readonly string[]>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorParams = Record<string, string>;

export const isErrorCode = (v: unknown): v is ErrorCode =>
  typeof v === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, v);

export class StationError extends Error {
  override name = 'StationError';
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a refused WebSocket response carries. */
export interface ErrorPayload {
  error: string;
  code?: ErrorCode;
  params?: ErrorParams;
}

/** The code of a StationError, or of any error given one with `withCode`. */
export function codeOf(e: unknown): { code: ErrorCode; params: ErrorParams } | null {
  const c = (e as { code?: unknown } | null)?.code;
  return isErrorCode(c) ? { code: c, params: stringParams((e as { params?: unknown }).params) } : null;
}

/**
 * Gives an error of another kind (SourceUriError, PlcConfigError…) a code and parameters, keeping
 * its class and message for the callers that test them.
 */
export function withCode<E extends Error>(
  e: E,
  code: ErrorCode,
  params: ErrorParams,
): E & { code: ErrorCode; params: ErrorParams } {
  return Object.assign(e, { code, params });
}

export function errorPayload(e: unknown): ErrorPayload {
  const error = e instanceof Error ? e.message : String(e);
  const coded = codeOf(e);
  return coded ? { error, ...coded } : { error };
}

const MARKER = '\u27e6vs-error:';
const MARKER_END = '\u27e7';

/** The message for Electron's IPC: the English text, then the code and parameters in a marker. */
export function encodeIpcError(e: unknown): string {
  const p = errorPayload(e);
  return p.code
    ? `${p.error} ${MARKER}${JSON.stringify({ code: p.code, params: p.params })}${MARKER_END}`
    : p.error;
}

export interface DecodedError {
  message: string;
  code: ErrorCode | null;
  params: ErrorParams;
}

function stringParams(v: unknown): ErrorParams {
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/**
 * The code, parameters and English message of an error from either transport: a StationError (or
 * anything with a known `code`), or an IPC message with the marker (Electron puts
 * "Error invoking remote method 'vs:…': Error: " before the message; that prefix is dropped).
 */
export function decodeStationError(e: unknown): DecodedError {
  const raw = e instanceof Error ? e.message : String(e);
  const coded = codeOf(e);
  if (coded) return { message: raw, ...coded };
  const text = raw.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
  const at = text.lastIndexOf(MARKER);
  if (at >= 0 && text.endsWith(MARKER_END)) {
    try {
      const parsed = JSON.parse(text.slice(at + MARKER.length, -MARKER_END.length)) as {
        code?: unknown;
        params?: unknown;
      };
      if (isErrorCode(parsed.code))
        return {
          message: text.slice(0, at).trimEnd(),
          code: parsed.code,
          params: stringParams(parsed.params),
        };
    } catch {
      // A message that only looks like it has a marker: shown as it is.
    }
  }
  return { message: text, code: null, params: {} };
}

/** The error a client rejects with for a refused response (`{ok: false, error, code?, params?}`). */
export function refusalOf(msg: Record<string, unknown>): Error {
  const message = typeof msg['error'] === 'string' ? msg['error'] : 'the station refused the request';
  return isErrorCode(msg['code'])
    ? new StationError(msg['code'], stringParams(msg['params']), message)
    : new Error(message);
}

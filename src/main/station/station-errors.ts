/**
 * The station's refusals as coded errors (src/shared/station-error.ts): the English message as it
 * was, plus a code and parameters the UI translates.
 */
import { StationError, type ErrorCode, type ErrorParams } from '../../shared/station-error';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Passwords in a source URI never go back to a screen. */
const maskUri = (uri: string): string => uri.replace(/\/\/([^/@]*)@/, '//***@');

/** A source refused by the URI parser, the source policy or its first-frame check. */
export function sourceError(uri: string, e: unknown): Error {
  if (e instanceof StationError) return e;
  const code: ErrorCode =
    (e as Error | null)?.name === 'SourceUriError'
      ? 'sourceUriInvalid'
      : (e as Error | null)?.name === 'SourceNotAllowedError'
        ? 'sourceNotAllowed'
        : 'sourceSwitchFailed';
  // The parser's message already starts with 'Invalid source "…": '; the parameter is the reason.
  const reason = messageOf(e).replace(/^Invalid source "[^"]*": /, '');
  return new StationError(code, { uri: maskUri(uri), reason }, messageOf(e), { cause: e });
}

/** Wraps any error under `code`, with `params` and the error's message as `reason`. */
export function codedError(code: ErrorCode, params: ErrorParams, e: unknown): StationError {
  if (e instanceof StationError) return e;
  return new StationError(code, { ...params, reason: messageOf(e) }, messageOf(e), { cause: e });
}

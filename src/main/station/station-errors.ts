/**
 * The station's refusals as coded errors (src/shared/station-error.ts): the English message as it
 * was, plus a code and parameters the UI translates.
 */
// Passwords in a source URI never go back to a screen.
import { maskCredentials } from '../capture/source-uri';
import { codeOf, StationError, withCode, type ErrorCode, type ErrorParams } from '../../shared/station-error';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A source refused by the URI parser, the source policy or its first-frame check. */
export function sourceError(uri: string, e: unknown): Error {
  if (codeOf(e)) return e as Error;
  const code: ErrorCode =
    (e as Error | null)?.name === 'SourceUriError'
      ? 'sourceUriInvalid'
      : (e as Error | null)?.name === 'SourceNotAllowedError'
        ? 'sourceNotAllowed'
        : 'sourceSwitchFailed';
  // The parser's message already starts with 'Invalid source "…": '; the parameter is the reason.
  const reason = messageOf(e).replace(/^Invalid source "[^"]*": /, '');
  const params = { uri: maskCredentials(uri), reason };
  return e instanceof Error ? withCode(e, code, params) : new StationError(code, params, messageOf(e));
}

/** Gives any error `code`, with `params` and the error's message as `reason` (class and message kept). */
export function codedError(code: ErrorCode, params: ErrorParams, e: unknown): Error {
  if (codeOf(e)) return e as Error;
  const all = { ...params, reason: messageOf(e) };
  return e instanceof Error ? withCode(e, code, all) : new StationError(code, all, messageOf(e));
}

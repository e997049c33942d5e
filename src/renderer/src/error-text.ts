/**
 * An error from the station in the screen's language: a coded error (src/shared/station-error.ts)
 * through its `errors.<code>` key, a known alarm-style message through `messages.*`, anything else
 * as sent. Reads the language the screen shows now (the one i18next instance).
 */
import type { TFunction } from 'i18next';
import { decodeStationError } from '../../shared/station-error';
import { messageKey } from '../../shared/message-keys';
import i18n from './i18n';

export function translateError(e: unknown, t: TFunction = i18n.t.bind(i18n)): string {
  const d = decodeStationError(e);
  const k = messageKey(d.message);
  // The catch-all code only names the method: a message with its own translation says more.
  if (d.code === 'actionFailed' && k) return t(`messages.${k.key}`, k.params);
  if (d.code) return t(`errors.${d.code}`, d.params);
  return k ? t(`messages.${k.key}`, k.params) : d.message;
}

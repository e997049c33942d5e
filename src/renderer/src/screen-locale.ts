/**
 * The language of this screen: a choice kept in this browser's localStorage, or null to follow the
 * station's setting (the default every screen starts with).
 */
import { useSyncExternalStore } from 'react';
import type { Locale } from '../../shared/api';

const KEY = 'vision-station.screen-locale';
const LOCALES: readonly Locale[] = ['en', 'ko'];
const listeners = new Set<() => void>();

function read(): Locale | null {
  try {
    const v = localStorage.getItem(KEY);
    return LOCALES.includes(v as Locale) ? (v as Locale) : null;
  } catch {
    return null;
  }
}

export function setScreenLocale(locale: Locale | null): void {
  try {
    if (locale === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, locale);
  } catch {
    // Storage disabled: the choice lasts until the page is reloaded.
  }
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useScreenLocale(): Locale | null {
  return useSyncExternalStore(subscribe, read, () => null);
}

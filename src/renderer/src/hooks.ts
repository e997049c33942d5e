import { useEffect, useState } from 'react';
import { translateError } from './error-text';

/** The current time, refreshed every `periodMs` (for ages like "last write 0.3 s ago"). */
export function useNow(periodMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}

/** In the screen's language where the station gave the error a code (see error-text.ts). */
export function errorText(e: unknown): string {
  return translateError(e);
}

import { useEffect, useState } from 'react';

/** The current time, refreshed every `periodMs` (for ages like "last write 0.3 s ago"). */
export function useNow(periodMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

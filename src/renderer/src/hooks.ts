import { useEffect, useRef, useState } from 'react';
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

/**
 * `value`, changing at most once every `periodMs` (the newest one when the period is up): for
 * charts that need not be drawn again with every stats message.
 */
export function useHeld<T>(value: T, periodMs: number): T {
  const [held, setHeld] = useState(value);
  // The first change is taken at once (a chart that is empty until the period is up looks broken).
  const heldAtRef = useRef(0);
  useEffect(() => {
    const take = (): void => {
      heldAtRef.current = Date.now();
      setHeld(value);
    };
    const waitMs = heldAtRef.current + periodMs - Date.now();
    if (waitMs <= 0) {
      take();
      return;
    }
    const timer = setTimeout(take, waitMs);
    return () => clearTimeout(timer);
  }, [value, periodMs]);
  return held;
}

/** In the screen's language where the station gave the error a code (see error-text.ts). */
export function errorText(e: unknown): string {
  return translateError(e);
}

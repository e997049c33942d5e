/** Structured logs to stderr (stdout is reserved for results). */
import pino from 'pino';

export function createLogger(component: string): pino.Logger {
  return pino(
    { base: { component }, level: process.env['VISION_STATION_LOG'] ?? 'info' },
    pino.destination(2),
  );
}

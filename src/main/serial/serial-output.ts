/** A serial port as a pipeline sink, built from `PATH?baud=N&format=csv|json&...`. */
import type { Homography3x3 } from '../core/calibration';
import type { ResultSink } from '../core/sink';
import { parseSerialUri, SerialSink, type SerialLinkStatus } from './serial-sink';

/** Resolves when the port is open; rejects with the port's last error after `timeoutMs`. */
function whenOpen(sink: SerialSink, timeoutMs: number): Promise<void> {
  if (sink.status().state === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onLink = (s: SerialLinkStatus): void => {
      if (s.state === 'open') done(null);
    };
    const timer = setTimeout(() => {
      const s = sink.status();
      done(new Error(`serial port ${s.path}: ${s.lastError ?? `not open within ${timeoutMs} ms`}`));
    }, timeoutMs);
    const done = (err: Error | null): void => {
      clearTimeout(timer);
      sink.off('link', onLink);
      if (err) reject(err);
      else resolve();
    };
    sink.on('link', onLink);
  });
}

export async function createSerialSink(
  uri: string,
  log: (line: string) => void,
  failFast: boolean,
  calibration?: Homography3x3,
): Promise<ResultSink & { serial: SerialSink }> {
  const settings = parseSerialUri(uri);
  const serial = new SerialSink(calibration ? { ...settings, homographyPxToMm: calibration } : settings);
  let lastState: string | null = null;
  serial.on('link', (s) => {
    if (s.state !== lastState && lastState !== null)
      log(`serial ${s.path}: ${s.state}${s.lastError ? ` (${s.lastError})` : ''}`);
    lastState = s.state;
  });
  serial.start();
  if (failFast) {
    try {
      await whenOpen(serial, 5000);
    } catch (e) {
      await serial.close();
      throw e;
    }
  }
  return { name: 'serial', serial, offer: (r) => serial.offer(r), close: () => serial.close() };
}

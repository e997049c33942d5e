/** A serial port as a pipeline sink, built from `PATH?baud=N&format=csv|json&...`. */
import type { Homography3x3 } from '../core/calibration';
import type { ResultSink } from '../core/sink';
import { parseSerialUri, SerialSink } from './serial-sink';

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
      await serial.whenOpen(5000);
    } catch (e) {
      await serial.close();
      throw e;
    }
  }
  return { name: 'serial', serial, offer: (r) => serial.offer(r), close: () => serial.close() };
}

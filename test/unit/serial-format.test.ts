import { describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import {
  formatSerialLine,
  nmeaChecksum,
  parseSerialLine,
  type SerialLineInput,
} from '../../src/main/core/serial-format';

const CAPTURE_MS = Date.UTC(2024, 0, 1, 0, 0, 1, 0); // 1000 ms after midnight UTC

const result: FrameResult = {
  frameId: 42,
  captureTimeMs: CAPTURE_MS,
  resultTimeMs: CAPTURE_MS,
  widthPx: 640,
  heightPx: 480,
  detections: [
    { classId: 1, className: 'a', score: 0.5, box: [0, 0, 10, 20] },
    { classId: 2, className: 'b', score: 0.875, box: [-10, 0, 0, 4], trackId: 3 },
  ],
  modelName: 'm',
  provider: 'cpu',
  timings: { preMs: 0, inferMs: 0, postMs: 0 },
};

const input: SerialLineInput = {
  result,
  cameraOk: true,
  modelOk: true,
  stale: false,
  writeTimeMs: CAPTURE_MS + 12,
  utcOffsetMin: 0,
};

describe('serial csv line', () => {
  it('has the documented fields and an NMEA XOR checksum', () => {
    const line = formatSerialLine('csv', input, { maxObjects: 8 });
    const body =
      'VSR,42,1000,12,7,2,2,3,0.875,-5.00,2.00,10.00,4.00,0.0,1,-1,0.500,5.00,10.00,10.00,20.00,0.0';
    expect(line).toBe(`$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}\r\n`);
    // The textbook NMEA sentence $GPGGA,123519,...,M,,*47.
    expect(nmeaChecksum('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe(0x47);
    const parsed = parseSerialLine(line);
    expect(parsed.count).toBe(2);
    expect(parsed.objects[0]).toEqual({
      classId: 2,
      trackId: 3,
      score: 0.875,
      x: -5,
      y: 2,
      width: 10,
      height: 4,
      angleDeg: 0,
    });
    expect(parsed.status).toMatchObject({ resultsValid: true, overflow: false });
  });

  it('detects a corrupted line', () => {
    const line = formatSerialLine('csv', input, { maxObjects: 8 });
    expect(() => parseSerialLine(line.replace('VSR,42', 'VSR,43'))).toThrow(/checksum/);
    expect(() => parseSerialLine('garbage')).toThrow(/\$\.\.\.\*HH/);
  });

  it('overflow and stale are flagged; stale carries no objects', () => {
    const over = parseSerialLine(formatSerialLine('csv', input, { maxObjects: 1 }));
    expect(over.count).toBe(1);
    expect(over.status.overflow).toBe(true);
    const stale = parseSerialLine(formatSerialLine('csv', { ...input, stale: true }, { maxObjects: 8 }));
    expect(stale).toMatchObject({ count: 0, objects: [], status: { stale: true, resultsValid: false } });
  });
});

describe('serial json line', () => {
  it('is one JSON object per line with rounded values', () => {
    const line = formatSerialLine('json', input, { maxObjects: 8 });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const v = parseSerialLine(line);
    expect(v).toMatchObject({ frameId: 42, captureTimeOfDayMs: 1000, latencyMs: 12, count: 2 });
    expect(v.objects[1]).toEqual({
      classId: 1,
      trackId: -1,
      score: 0.5,
      x: 5,
      y: 10,
      width: 10,
      height: 20,
      angleDeg: 0,
    });
  });
});

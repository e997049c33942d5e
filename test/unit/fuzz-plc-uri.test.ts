import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parsePlcUri, type PlcTarget } from '../../src/main/plc/plc-config';
import { parseSerialUri, type SerialSettingsInput } from '../../src/main/serial/serial-sink';
import { uriLike, validOrOneClearError } from '../helpers/fuzz';

export const PLC_URI_RUNS = 2000;
export const SERIAL_URI_RUNS = 1000;

const validPlc = (t: PlcTarget): boolean =>
  t.kind === 'sim' ||
  (t.kind === 's7' &&
    t.settings.host.length > 0 &&
    Number.isInteger(t.settings.dbNumber) &&
    t.settings.dbNumber! >= 1 &&
    (t.settings.port === undefined || (t.settings.port >= 1 && t.settings.port <= 65535)));

describe('fuzz: PLC and serial URIs', () => {
  it(`PLC URIs parse or give one PlcConfigError (${PLC_URI_RUNS} cases)`, () => {
    const arb = uriLike(
      ['s7://', 'S7://', 'sim', 's7:', 'http://'],
      [
        '10.0.0.1',
        '[::1]',
        'plc.local',
        ':102',
        ':0',
        ':70000',
        '?db=1',
        'db=0',
        'db=65536',
        'rack=0',
        'rack=9',
        'slot=1',
        'slot=40',
        'offset=10',
        'maxObjects=0',
        'maxObjects=64',
        'mode=ack',
        'mode=bogus',
        '/path',
      ],
    );
    fc.assert(
      fc.property(arb, (uri) => validOrOneClearError(() => parsePlcUri(uri), ['PlcConfigError'], validPlc)),
      { numRuns: PLC_URI_RUNS },
    );
  });

  it(`serial URIs parse or give one SerialConfigError (${SERIAL_URI_RUNS} cases)`, () => {
    const arb = uriLike(
      ['/dev/ttyUSB0', 'COM3', '', '/dev/'],
      [
        '?baud=115200',
        'baud=0',
        'baud=-1',
        'baud=1e9',
        '&parity=even',
        'parity=x',
        'format=json',
        'format=xml',
        'dataBits=7',
        'dataBits=9',
        'stopBits=2',
        'maxObjects=0',
        'maxObjects=5000',
      ],
    );
    fc.assert(
      fc.property(arb, (uri) =>
        validOrOneClearError(
          () => parseSerialUri(uri),
          ['SerialConfigError'],
          (s: SerialSettingsInput) => typeof s.path === 'string' && s.path.trim().length > 0,
        ),
      ),
      { numRuns: SERIAL_URI_RUNS },
    );
  });
});

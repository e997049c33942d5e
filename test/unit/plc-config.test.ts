import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parsePlcSettings, parsePlcUri } from '../../src/main/plc/plc-config';
import { parseSerialUri } from '../../src/main/serial/serial-sink';
import { main as plcLayoutMain } from '../../src/main/cli/plc-layout';
import { main as plcSimMain } from '../../src/main/cli/plc-sim';

describe('PLC URI', () => {
  it('parses s7:// with defaults and options', () => {
    expect(parsePlcUri('s7://192.168.0.10?rack=0&slot=1&db=100')).toEqual({
      kind: 's7',
      settings: { host: '192.168.0.10', port: 102, rack: 0, slot: 1, dbNumber: 100 },
    });
    expect(parsePlcUri('s7://plc.local:10102?db=5&slot=2&offset=8&maxObjects=4&mode=ack')).toEqual({
      kind: 's7',
      settings: {
        host: 'plc.local',
        port: 10102,
        rack: 0,
        slot: 2,
        dbNumber: 5,
        startOffsetBytes: 8,
        maxObjects: 4,
        handshake: 'ack',
      },
    });
    expect(parsePlcUri('sim')).toEqual({ kind: 'sim' });
  });

  it('says what is wrong and how to fix it', () => {
    expect(() => parsePlcUri('192.168.0.10')).toThrow(
      /use "sim" or s7:\/\/192\.168\.0\.10\?rack=0&slot=1&db=100/,
    );
    expect(() => parsePlcUri('s7://10.0.0.1?rack=0&slot=1')).toThrow(/db=N is required/);
    expect(() => parsePlcUri('s7://10.0.0.1?db=1&dbnumber=3')).toThrow(/unknown parameter "dbnumber"/);
    expect(() => parsePlcUri('s7://10.0.0.1?db=x')).toThrow(/db=x is not a whole number/);
    expect(() => parsePlcUri('s7://10.0.0.1?db=1&rack=9')).toThrow(/rack=9 must be 0\.\.7/);
    expect(() => parsePlcUri('s7://10.0.0.1?db=1&mode=fast')).toThrow(
      /mode=fast must be one of free-run, ack, trigger/,
    );
    expect(() => parsePlcUri('s7://10.0.0.1?db=1&offset=3')).toThrow(/even/);
  });
});

describe('PLC settings schema', () => {
  it('fills defaults', () => {
    const s = parsePlcSettings({ host: 'h', dbNumber: 1 });
    expect(s).toMatchObject({
      port: 102,
      rack: 0,
      slot: 1,
      startOffsetBytes: 0,
      maxObjects: 16,
      sortKey: 'score',
      handshake: 'free-run',
      stalenessLimitMs: 1000,
      homographyPxToMm: null,
    });
  });
  it('rejects bad values with the field name', () => {
    expect(() => parsePlcSettings({ host: 'h', dbNumber: 0 })).toThrow(/dbNumber/);
    expect(() =>
      parsePlcSettings({ host: 'h', dbNumber: 1, homographyPxToMm: [1, 0, 0, 0, 0, 0, 0, 0, 1] }),
    ).toThrow(/singular/);
    expect(() =>
      parsePlcSettings({ host: 'h', dbNumber: 1, reconnectMinMs: 500, reconnectMaxMs: 100 }),
    ).toThrow(/reconnectMaxMs/);
  });
});

describe('serial URI', () => {
  it('parses path and options', () => {
    expect(parseSerialUri('/dev/ttyUSB0?baud=9600&parity=even&format=json')).toEqual({
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      parity: 'even',
      format: 'json',
    });
    expect(() => parseSerialUri('/dev/ttyUSB0?speed=9600')).toThrow(/unknown parameter "speed"/);
    expect(() => parseSerialUri('/dev/ttyUSB0?parity=mark')).toThrow(/parity/);
  });
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('plc-layout command', () => {
  it('prints SCL, JSON and Markdown', async () => {
    for (const [format, needle] of [
      ['scl', "S7_Optimized_Access := 'FALSE'"],
      ['json', '"blockSizeBytes": 480'],
      ['md', '| 0 | INT | lifeCounter |'],
    ] as const) {
      const out = capture();
      expect(await plcLayoutMain(['--format', format], { stdout: out.stream })).toBe(0);
      expect(out.text()).toContain(needle);
    }
  });
  it('unknown flag or bad value: one line on stderr, exit 2', async () => {
    for (const argv of [
      ['--fromat', 'scl'],
      ['--format', 'xml'],
    ]) {
      const err = capture();
      expect(await plcLayoutMain(argv, { stderr: err.stream })).toBe(2);
      expect(err.text().trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('plc-sim command flags', () => {
  it('unknown flag or bad value: one line on stderr, exit 2, nothing started', async () => {
    for (const argv of [
      ['--prot', '1'],
      ['--mode', 'fast'],
      ['--port', '0'],
    ]) {
      const err = capture();
      expect(await plcSimMain(argv, { stderr: err.stream })).toBe(2);
      expect(err.text().trim().split('\n')).toHaveLength(1);
    }
  });
});

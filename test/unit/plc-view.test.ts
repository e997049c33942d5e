import { describe, expect, it } from 'vitest';
import { plcBlockFields } from '../../src/main/station/plc-view';

describe('plcBlockFields', () => {
  it('decodes header and the records up to count, with DB offsets and hex', () => {
    const bytes = new Uint8Array(20 + 28 * 2);
    const v = new DataView(bytes.buffer);
    v.setInt16(0, 7); // lifeCounter
    v.setUint16(2, 0b111); // status
    v.setInt32(4, 1234); // frameId
    v.setInt16(16, 1); // count
    v.setInt16(18, 42); // latencyMs
    v.setInt16(20, 3); // records[0].classId
    v.setInt16(22, -1); // trackId
    v.setFloat32(24, 0.5); // score
    v.setFloat32(28, 100.25); // x
    const fields = plcBlockFields(bytes, 2, 100, 1);
    expect(fields).toHaveLength(7 + 8);
    expect(fields[0]).toEqual({ name: 'lifeCounter', offsetBytes: 100, type: 'INT', value: 7, hex: '00 07' });
    expect(fields.find((f) => f.name === 'frameId')).toEqual({
      name: 'frameId',
      offsetBytes: 104,
      type: 'DINT',
      value: 1234,
      hex: '00 00 04 D2',
    });
    expect(fields.find((f) => f.name === 'records[0].trackId')).toMatchObject({
      value: -1,
      hex: 'FF FF',
      offsetBytes: 122,
    });
    expect(fields.find((f) => f.name === 'records[0].x')).toMatchObject({
      value: 100.25,
      type: 'REAL',
      offsetBytes: 128,
    });
    expect(fields.some((f) => f.name.startsWith('records[1]'))).toBe(false);
  });
});

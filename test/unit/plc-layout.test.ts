import { describe, expect, it } from 'vitest';
import {
  CONTROL_FIELDS,
  HEADER_FIELDS,
  RECORD_FIELDS,
  S7_TYPE_SIZE_BYTES,
  blockSizeBytes,
  controlFieldOffsetBytes,
  dataAreaSizeBytes,
  flattenPlcLayout,
  requiredDbSizeBytes,
  type PlcField,
} from '../../src/shared/plc-layout';
import { generateLayoutJson, generateLayoutMarkdown, generateScl } from '../../src/main/core/plc/scl';

function contiguous(fields: readonly PlcField[]): boolean {
  let at = 0;
  for (const f of fields) {
    if (f.offset !== at) return false;
    at += S7_TYPE_SIZE_BYTES[f.type];
  }
  return true;
}

describe('layout v1 description', () => {
  it('matches the design table: offsets, types, sizes', () => {
    expect(HEADER_FIELDS.map((f) => `${f.offset}:${f.type}:${f.name}`)).toEqual([
      '0:INT:lifeCounter',
      '2:WORD:status',
      '4:DINT:frameId',
      '8:DINT:requestId',
      '12:DINT:captureTimeOfDayMs',
      '16:INT:count',
      '18:INT:latencyMs',
    ]);
    expect(RECORD_FIELDS.map((f) => `${f.offset}:${f.type}:${f.name}`)).toEqual([
      '0:INT:classId',
      '2:INT:trackId',
      '4:REAL:score',
      '8:REAL:x',
      '12:REAL:y',
      '16:REAL:width',
      '20:REAL:height',
      '24:REAL:angleDeg',
    ]);
    expect(CONTROL_FIELDS.map((f) => `${f.offset}:${f.type}:${f.name}:${f.writtenBy}`)).toEqual([
      '0:DINT:triggerCounter:plc',
      '4:DINT:ackFrameId:plc',
      '8:INT:recipeRequest:plc',
      '10:INT:recipeActive:app',
    ]);
    for (const f of [HEADER_FIELDS, RECORD_FIELDS, CONTROL_FIELDS]) expect(contiguous(f)).toBe(true);
    expect(dataAreaSizeBytes(16)).toBe(468);
    expect(blockSizeBytes(16)).toBe(480);
    expect(requiredDbSizeBytes(16, 100)).toBe(580);
    expect(controlFieldOffsetBytes(16, 'recipeActive')).toBe(478);
    expect(() => dataAreaSizeBytes(0)).toThrow(/maxObjects/);
  });

  it('flattens to absolute offsets without gaps', () => {
    const flat = flattenPlcLayout(2, 10);
    expect(flat[0]).toMatchObject({ path: 'header.lifeCounter', dbOffset: 10 });
    expect(flat.find((f) => f.path === 'records[1].angleDeg')).toMatchObject({ dbOffset: 10 + 20 + 28 + 24 });
    expect(flat.at(-1)).toMatchObject({ path: 'control.recipeActive', dbOffset: 10 + 76 + 10 });
    const total = flat.reduce((s, f) => s + f.sizeBytes, 0);
    expect(total).toBe(blockSizeBytes(2));
  });
});

describe('generated documents', () => {
  it('SCL: non-optimized DB with header struct, record array and control struct', () => {
    const scl = generateScl({ maxObjects: 16 });
    expect(scl).toContain('DATA_BLOCK "VisionStation"');
    expect(scl).toContain("{ S7_Optimized_Access := 'FALSE' }");
    expect(scl).toContain('records : Array[0..15] of Struct');
    expect(scl).toMatch(
      /header : Struct[\s\S]*lifeCounter : Int;[\s\S]*status : Word;[\s\S]*frameId : DInt;/,
    );
    expect(scl).toMatch(/angleDeg : Real;/);
    expect(scl).toMatch(/control : Struct[\s\S]*triggerCounter : DInt;[\s\S]*recipeActive : Int;/);
    expect(scl).toContain('END_DATA_BLOCK');
    expect(scl).not.toContain('reserved');
    expect(generateScl({ maxObjects: 1, startOffsetBytes: 4 })).toContain('reserved : Array[0..3] of Byte;');
    expect(() => generateScl({ maxObjects: 1, startOffsetBytes: 3 })).toThrow(/even/);
  });

  it('JSON and Markdown carry the same sizes', () => {
    const j = JSON.parse(generateLayoutJson({ maxObjects: 16 }));
    expect(j).toMatchObject({
      version: 1,
      blockSizeBytes: 480,
      dataAreaSizeBytes: 468,
      controlAreaOffsetBytes: 468,
      byteOrder: 'big-endian',
    });
    expect(j.record).toHaveLength(8);
    const md = generateLayoutMarkdown({ maxObjects: 16 });
    expect(md).toContain('| 0 | INT | lifeCounter | app |');
    expect(md).toContain('| 20 + 28·i | record i |');
    expect(md).toContain('| 468 | DINT | triggerCounter | plc |');
    expect(md).toContain('| 478 (+10) | INT | recipeActive | app |');
    expect(md).toContain('| 2 | DBX3.2 | resultsValid |');
  });
});

/**
 * The last written PLC data area as the UI shows it: every field of the shared layout description
 * with its DB offset, value and bytes. Records beyond `count` are left out (they are zeroes).
 */
import type { PlcFieldValue } from '../../shared/api';
import { flattenPlcLayout, HEADER_SIZE_BYTES, RECORD_SIZE_BYTES } from '../../shared/plc-layout';

export function plcBlockFields(
  dataArea: Uint8Array,
  maxObjects: number,
  startOffsetBytes: number,
  count: number,
): PlcFieldValue[] {
  const view = new DataView(dataArea.buffer, dataArea.byteOffset, dataArea.byteLength);
  const dataEnd = HEADER_SIZE_BYTES + RECORD_SIZE_BYTES * Math.min(count, maxObjects);
  const out: PlcFieldValue[] = [];
  for (const f of flattenPlcLayout(maxObjects, startOffsetBytes)) {
    const rel = f.dbOffset - startOffsetBytes;
    if (f.writtenBy !== 'app' || rel + f.sizeBytes > dataEnd) continue;
    const value =
      f.type === 'INT'
        ? view.getInt16(rel, false)
        : f.type === 'WORD'
          ? view.getUint16(rel, false)
          : f.type === 'DINT'
            ? view.getInt32(rel, false)
            : view.getFloat32(rel, false);
    const hex = Array.from(dataArea.subarray(rel, rel + f.sizeBytes), (b) =>
      b.toString(16).padStart(2, '0').toUpperCase(),
    ).join(' ');
    out.push({ name: f.path.replace(/^header\./, ''), offsetBytes: f.dbOffset, type: f.type, value, hex });
  }
  return out;
}

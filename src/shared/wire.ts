/**
 * WebSocket wire codec, shared by the server and the browser client (no Node APIs here).
 */
import { WS_FRAME_HEADER_BYTES, type FrameMessage } from './api';

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** JSON.stringify that carries Uint8Arrays as `{ "$bytes": base64 }`. */
export function stringifyWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Uint8Array ? { $bytes: bytesToBase64(v) } : v,
  );
}

/** JSON.parse that restores `{ "$bytes": base64 }` to Uint8Array. Throws SyntaxError on bad input. */
export function parseWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === '$bytes' && typeof o['$bytes'] === 'string')
        return base64ToBytes(o['$bytes']);
    }
    return v;
  });
}

export function encodeFrameMessage(msg: FrameMessage): Uint8Array {
  const { previewJpeg, ...meta } = msg;
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(WS_FRAME_HEADER_BYTES + json.length + previewJpeg.length);
  new DataView(out.buffer).setUint32(0, json.length, false);
  out.set(json, WS_FRAME_HEADER_BYTES);
  out.set(previewJpeg, WS_FRAME_HEADER_BYTES + json.length);
  return out;
}

export function decodeFrameMessage(bytes: Uint8Array): FrameMessage {
  if (bytes.length < WS_FRAME_HEADER_BYTES) throw new RangeError('frame message shorter than its header');
  const jsonLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false);
  if (WS_FRAME_HEADER_BYTES + jsonLen > bytes.length)
    throw new RangeError('frame message shorter than its JSON part');
  const meta = JSON.parse(
    new TextDecoder().decode(bytes.subarray(WS_FRAME_HEADER_BYTES, WS_FRAME_HEADER_BYTES + jsonLen)),
  ) as Omit<FrameMessage, 'previewJpeg'>;
  return { ...meta, previewJpeg: bytes.slice(WS_FRAME_HEADER_BYTES + jsonLen) };
}

/** Shape checks for what arrives from the station before the UI touches it. */
import type { FrameMessage } from '../../shared/api';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isDetection(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const box = v['box'];
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isNum)) return false;
  if (!isNum(v['score']) || !isNum(v['classId']) || typeof v['className'] !== 'string') return false;
  const mask = v['mask'];
  if (mask !== undefined) {
    if (!isPlainObject(mask) || !Array.isArray(mask['polygon']) || !isNum(mask['areaPx'])) return false;
    if (
      !mask['polygon'].every((p: unknown) => Array.isArray(p) && p.length === 2 && isNum(p[0]) && isNum(p[1]))
    )
      return false;
  }
  // Drawn by overlay-extra: rotated boxes by their corners, skeletons by their keypoints.
  const obb = v['obb'];
  if (obb !== undefined) {
    if (!isPlainObject(obb) || !isNum(obb['angleDeg']) || !Array.isArray(obb['corners'])) return false;
    const corners: unknown[] = obb['corners'];
    if (corners.length !== 4 || !corners.every(isPoint)) return false;
  }
  const kps = v['keypoints'];
  if (kps !== undefined) {
    if (!Array.isArray(kps)) return false;
    const ok = kps.every(
      (k: unknown) =>
        isPlainObject(k) &&
        isNum(k['x']) &&
        isNum(k['y']) &&
        (k['visibility'] === null || isNum(k['visibility'])),
    );
    if (!ok) return false;
  }
  return true;
}

const isPoint = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && isNum(p[0]) && isNum(p[1]);

export function isFrameMessage(v: unknown): v is FrameMessage {
  if (!isPlainObject(v)) return false;
  return (
    isNum(v['frameId']) &&
    isNum(v['widthPx']) &&
    isNum(v['heightPx']) &&
    v['widthPx'] > 0 &&
    v['heightPx'] > 0 &&
    v['previewJpeg'] instanceof Uint8Array &&
    Array.isArray(v['detections']) &&
    v['detections'].every(isDetection) &&
    (v['placementsMm'] === undefined ||
      v['placementsMm'] === null ||
      (Array.isArray(v['placementsMm']) &&
        v['placementsMm'].length === v['detections'].length &&
        v['placementsMm'].every(
          (p) => isPlainObject(p) && ['x', 'y', 'width', 'height', 'angleDeg'].every((k) => isNum(p[k])),
        )))
  );
}

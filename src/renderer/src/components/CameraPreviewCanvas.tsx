/**
 * A camera's preview with its objects drawn on it: the small JPEG stretched back to the camera
 * frame's size on a canvas, then the boxes and class labels of that same frame (camera pixels) with
 * the live view's drawing code. CSS scales the canvas into the tile (object-fit: contain), so a
 * tile never needs to know the thumbnail's size.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraPreview } from '../../../shared/api';
import { useCameraPreviewData } from '../cameras-store';
import { useFormat } from '../format';
import { drawOverlays, type OverlayOptions } from '../overlay';

/** A tile is small: boxes and labels only (centres and tracks would cover the objects). */
const TILE_OVERLAYS: OverlayOptions = {
  boxes: true,
  labels: true,
  masks: false,
  centres: false,
  tracks: false,
  segmentation: false,
};

/** Camera pixels per CSS pixel of a frame shown with object-fit: contain in a w×h box. */
export function containPxPerCss(boxW: number, boxH: number, frameW: number, frameH: number): number {
  if (boxW <= 0 || boxH <= 0) return 1;
  return 1 / Math.min(boxW / frameW, boxH / frameH);
}

/** Lines and labels on a small tile, as a share of their size on the live view. */
const TILE_TEXT_SCALE = 0.75;

function draw(
  canvas: HTMLCanvasElement,
  p: CameraPreview,
  img: HTMLImageElement,
  fmtScore: (s: number) => string,
  large: boolean,
) {
  // A station from before previews had objects sends none: the picture alone, at its own size.
  const widthPx = p.widthPx || img.naturalWidth;
  const heightPx = p.heightPx || img.naturalHeight;
  const objects = p.objects ?? [];
  canvas.width = widthPx;
  canvas.height = heightPx;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.drawImage(img, 0, 0, widthPx, heightPx);
  drawOverlays(
    ctx,
    objects,
    widthPx,
    TILE_OVERLAYS,
    containPxPerCss(canvas.clientWidth, canvas.clientHeight, widthPx, heightPx) *
      (large ? 1 : TILE_TEXT_SCALE),
    fmtScore,
    (a) => String(Math.round(a)),
  );
  // What was drawn, for tests and tools: the frame and each box ([classId, x1, y1, x2, y2]).
  canvas.dataset['frameId'] = String(p.frameId);
  canvas.dataset['previewAt'] = `${p.frameId}@${p.atMs}`;
  canvas.dataset['frameSize'] = `${widthPx}x${heightPx}`;
  canvas.dataset['objects'] = String(objects.length);
  canvas.dataset['boxes'] = JSON.stringify(objects.map((d) => [d.classId, ...d.box]));
}

export function CameraPreviewCanvas({ name, large }: { name: string; large?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const preview = useCameraPreviewData(name);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const fmtScore = (s: number) => f.num(s, 2);
  const fmtRef = useRef(fmtScore);
  fmtRef.current = fmtScore;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !preview) return;
    // The same preview polled again is already drawn (frame ids start again when a camera restarts).
    if (canvas.dataset['previewAt'] === `${preview.frameId}@${preview.atMs}`) return;
    let live = true;
    const img = new Image();
    img.onload = () => live && draw(canvas, preview, img, fmtRef.current, large === true);
    img.src = preview.jpegDataUrl;
    return () => {
      live = false;
    };
  }, [preview, large]);

  const style = {
    width: '100%',
    aspectRatio: '4 / 3',
    objectFit: 'contain' as const,
    background: '#000',
    borderRadius: 4,
    display: 'block',
    // Large, but leaving the figures below in view on a 768 px high panel.
    maxHeight: large ? 300 : undefined,
  };
  return preview ? (
    <canvas
      ref={canvasRef}
      role="img"
      aria-label={name}
      style={style}
      data-testid={`camera-image-${name}${large ? '-large' : ''}`}
    />
  ) : (
    <div style={{ ...style, display: 'grid', placeItems: 'center' }} className="muted small">
      {t('cameras.noPicture')}
    </div>
  );
}

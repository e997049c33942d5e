import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameMessage } from '../../../shared/api';
import { DEFAULT_OVERLAYS, type OverlayOptions } from '../overlay';
import { drawFrameOverlays, shownHead, type SemanticViewOptions } from '../overlay-extra';
import { DEFAULT_SEMANTIC_VIEW, SemanticPanel } from './SemanticPanel';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { useNow } from '../hooks';
import { DetectionTable, SegmentationTable } from './DetectionTables';
import { plcDeliveryProblem } from '../../../shared/verdict';
import { TrackingOverlay } from './TrackingOverlay';

const TOGGLES = ['boxes', 'labels', 'masks', 'centres', 'tracks'] as const;
const STORAGE_KEY = 'vision-station.overlays';
/** How often the table under the picture follows the frames (the canvas follows every frame). */
const TABLE_PERIOD_MS = 250;
const STALE_AFTER_MS = 2_000;
/** Previews decoding at once; more means the renderer is behind and the newest waits its turn. */
const MAX_DECODING = 3;

function loadOverlays(): OverlayOptions {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<OverlayOptions> | null;
    return { ...DEFAULT_OVERLAYS, ...(saved ?? {}) };
  } catch {
    return DEFAULT_OVERLAYS;
  }
}

interface Drawn {
  msg: FrameMessage;
  bitmap: ImageBitmap;
}

export function LiveView() {
  const { t } = useTranslation();
  const f = useFormat();
  const { frames, view } = useStation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [opts, setOpts] = useState<OverlayOptions>(loadOverlays);
  const [paused, setPaused] = useState(false);
  const [shown, setShown] = useState<FrameMessage | null>(null);
  const [lastDrawAt, setLastDrawAt] = useState<number | null>(null);
  const optsRef = useRef(opts);
  const [semantic, setSemantic] = useState<SemanticViewOptions>(DEFAULT_SEMANTIC_VIEW);
  const semanticRef = useRef(semantic);
  // Track ids exist only once tracking runs: the toggle and column stay hidden until one is seen.
  const hasTracksRef = useRef(false);
  const [hasTracks, setHasTracks] = useState(false);
  const pausedRef = useRef(paused);
  const currentRef = useRef<Drawn | null>(null);
  const fmtRef = useRef(f);
  fmtRef.current = f;

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    const cur = currentRef.current;
    if (!canvas || !cur) return;
    const { msg, bitmap } = cur;
    // The canvas holds the preview's pixels, not the camera's: a 4K camera's 1280-px preview is
    // not scaled up to 8 Mpx to be scaled down again on screen. Overlays stay in camera pixels
    // through the transform.
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(bitmap.width / msg.widthPx, 0, 0, bitmap.height / msg.heightPx, 0, 0);
    // Picture and overlay come from the same FrameMessage, drawn in one go.
    ctx.drawImage(bitmap, 0, 0, msg.widthPx, msg.heightPx);
    const fmt = fmtRef.current;
    // Source pixels per screen pixel (object-fit: contain), so labels are a fixed size on screen.
    const pxPerCss =
      canvas.clientWidth > 0 && canvas.clientHeight > 0
        ? Math.max(msg.widthPx / canvas.clientWidth, msg.heightPx / canvas.clientHeight)
        : 1;
    drawFrameOverlays(
      ctx,
      msg,
      { ...optsRef.current, tracks: optsRef.current.tracks && hasTracksRef.current },
      semanticRef.current,
      pxPerCss,
      (s) => fmt.num(s, 2),
      (a) => `${fmt.int(a)} px²`,
    );
    canvas.dataset['frameId'] = String(msg.frameId);
    canvas.dataset['detections'] = String(msg.detections.length);
    canvas.dataset['masks'] = String(msg.detections.filter((d) => d.mask).length);
    // The head whose class map is on the picture ('' when none is).
    canvas.dataset['classMap'] = optsRef.current.segmentation
      ? (shownHead(msg.segmentation, semanticRef.current.headIndex)?.name ?? '')
      : '';
  }, []);

  useEffect(() => {
    optsRef.current = opts;
    semanticRef.current = semantic;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...opts, segmentation: false }));
    draw();
  }, [opts, semantic, draw]);

  useEffect(() => {
    pausedRef.current = paused;
    if (canvasRef.current) canvasRef.current.dataset['paused'] = String(paused);
    // Frozen: the table shows exactly the frame on the canvas.
    if (paused && currentRef.current) setShown(currentRef.current.msg);
  }, [paused]);

  useEffect(() => {
    // Each preview starts decoding (off the main thread) as soon as it arrives, so arrival jitter
    // does not cost frames; they are drawn strictly in arrival order. Beyond MAX_DECODING frames
    // in flight the renderer is not keeping up and a frame is skipped (counted).
    let alive = true;
    let decoding = 0;
    let chain: Promise<void> = Promise.resolve();
    let lastTableAt = 0;
    let drawnCount = 0;
    const show = (msg: FrameMessage, bitmap: ImageBitmap | null) => {
      decoding -= 1;
      if (!bitmap) return;
      // The chain keeps arrival order; frame ids are not compared (a restarted station counts from 0 again).
      if (!alive || pausedRef.current) {
        bitmap.close();
        return;
      }
      const prev = currentRef.current;
      currentRef.current = { msg, bitmap };
      if (!hasTracksRef.current && msg.detections.some((d) => d.trackId !== undefined && d.trackId >= 1)) {
        hasTracksRef.current = true;
        setHasTracks(true);
      }
      prev?.bitmap.close();
      draw();
      frames.markDrawn();
      drawnCount += 1;
      if (canvasRef.current) canvasRef.current.dataset['drawn'] = String(drawnCount);
      const now = performance.now();
      if (now - lastTableAt >= TABLE_PERIOD_MS) {
        lastTableAt = now;
        setShown(msg);
        setLastDrawAt(Date.now());
      }
    };
    const off = frames.onFrame((msg) => {
      if (pausedRef.current) return;
      if (decoding >= MAX_DECODING) {
        frames.markSkipped();
        return;
      }
      decoding += 1;
      const decoded = createImageBitmap(
        new Blob([msg.previewJpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }),
      ).catch((e: unknown) => {
        console.warn(`frame ${msg.frameId}: preview does not decode`, e);
        return null;
      });
      chain = chain.then(() => decoded).then((bitmap) => show(msg, bitmap));
    });
    return () => {
      alive = false;
      off();
    };
  }, [frames, draw]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || isTyping(e.target)) return;
      if (e.key === 'f' || e.key === 'F') {
        e.preventDefault();
        setPaused((p) => !p);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // Redraw at the new scale when the panel changes size (labels keep their screen size).
  useEffect(() => {
    const c = canvasRef.current;
    if (!c || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => draw());
    ro.observe(c);
    return () => ro.disconnect();
  }, [draw]);

  const segmentation = opts.segmentation;
  const toggle = (k: keyof OverlayOptions) => setOpts((o) => ({ ...o, [k]: !o[k] }));

  return (
    <section className="live" data-testid="live-view">
      <div className="live-toolbar" data-testid="live-toolbar">
        <div className="segmented" role="tablist" aria-label={t('live.viewMode')}>
          <button
            role="tab"
            aria-selected={!segmentation}
            data-testid="view-detection"
            className={!segmentation ? 'active' : ''}
            onClick={() => setOpts((o) => ({ ...o, segmentation: false }))}
          >
            {t('live.detectionView')}
          </button>
          <button
            role="tab"
            aria-selected={segmentation}
            data-testid="view-segmentation"
            className={segmentation ? 'active' : ''}
            onClick={() => setOpts((o) => ({ ...o, segmentation: true }))}
          >
            {t('live.segmentationView')}
          </button>
        </div>
        <div className="toggles">
          {TOGGLES.filter((k) => k !== 'tracks' || hasTracks).map((k) => (
            <label key={k} className={`toggle${opts[k] ? ' on' : ''}`}>
              <input
                type="checkbox"
                data-testid={`toggle-${k}`}
                checked={opts[k]}
                onChange={() => toggle(k)}
              />
              {t(`live.toggle.${k}`)}
            </label>
          ))}
        </div>
        <button
          className={`pause${paused ? ' on' : ''}`}
          data-testid="live-pause"
          aria-pressed={paused}
          onClick={() => setPaused((p) => !p)}
        >
          {paused ? t('live.resume') : t('live.pause')}
        </button>
      </div>
      <div className="canvas-wrap" data-testid="live-canvas-wrap">
        <canvas ref={canvasRef} data-testid="live-canvas" width={1280} height={720} />
        <TrackingOverlay />
        <LiveBadges
          paused={paused}
          lastDrawAt={lastDrawAt}
          connected={view.connection.kind === 'open'}
          hasFrame={shown !== null}
          yieldingAtFps={view.stats?.liveView.yielding ? view.stats.liveView.fps : null}
        />
        <PlcBanner />
      </div>
      <div className="live-footer" data-testid="live-footer">
        <span data-testid="detection-count" data-value={shown?.detections.length ?? 0}>
          {t('live.detections', {
            count: shown?.detections.length ?? 0,
            n: f.int(shown?.detections.length ?? 0),
          })}
        </span>
        <span>{shown ? t('live.frame', { id: f.int(shown.frameId) }) : ''}</span>
        <span>{shown ? `${shown.widthPx}×${shown.heightPx}` : ''}</span>
        <span>
          {shown
            ? `${shown.modelName} · ${shown.provider.toUpperCase()} · ${f.ms(shown.timings.inferMs)}`
            : ''}
        </span>
        <span className="shortcut-hint">{t('shortcuts.hint')}</span>
      </div>
      <div className="live-table" data-testid="live-table">
        {segmentation && shown?.segmentation && (
          <SemanticPanel frame={shown} options={semantic} onChange={setSemantic} />
        )}
        {segmentation ? (
          <SegmentationTable frame={shown} showTracks={hasTracks} />
        ) : (
          <DetectionTable frame={shown} showTracks={hasTracks} />
        )}
      </div>
    </section>
  );
}

/** Keys typed into a field are not shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  return (
    (tag === 'input' && !['checkbox', 'radio', 'range', 'button'].includes((el as HTMLInputElement).type)) ||
    tag === 'textarea' ||
    tag === 'select' ||
    el.isContentEditable
  );
}

function LiveBadges({
  paused,
  lastDrawAt,
  connected,
  hasFrame,
  yieldingAtFps,
}: {
  paused: boolean;
  lastDrawAt: number | null;
  connected: boolean;
  hasFrame: boolean;
  /** The live view slowed to this many pictures a second, as inference has no time to spare. */
  yieldingAtFps: number | null;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useNow(500);
  const age = lastDrawAt === null ? null : now - lastDrawAt;
  return (
    <div className="badges">
      {!connected && (
        <div className="badge bad" data-testid="live-disconnected">
          {t('live.disconnected')}
        </div>
      )}
      {paused && <div className="badge warn">{t('live.paused')}</div>}
      {!paused && connected && !hasFrame && <div className="badge warn">{t('live.waiting')}</div>}
      {!paused && connected && age !== null && age > STALE_AFTER_MS && (
        <div className="badge bad" data-testid="live-stale">
          {t('live.stale', { s: f.num(age / 1000, 0) })}
        </div>
      )}
      {!paused && connected && yieldingAtFps !== null && (
        <div className="badge info" data-testid="live-yielding" data-fps={yieldingAtFps}>
          {t('live.yielding', { fps: f.int(yieldingAtFps) })}
        </div>
      )}
    </div>
  );
}

/** Across the picture while results are not reaching the PLC: the operator must not trust the line. */
function PlcBanner() {
  const { t } = useTranslation();
  const { view } = useStation();
  if (view.connection.kind !== 'open') return null;
  // The station's own clock (stats arrive each second), so a browser on another machine with a
  // skewed clock does not see a stale PLC that is not.
  const problem = plcDeliveryProblem(view.plc, view.alarms, view.stats?.atMs ?? 0);
  if (!problem) return null;
  return (
    <div
      className={`plc-banner ${problem === 'overflow' ? 'warn' : 'bad'}`}
      data-testid="plc-banner"
      data-problem={problem}
      role="alert"
    >
      {t(`plcBanner.${problem}`)}
    </div>
  );
}

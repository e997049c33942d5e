/**
 * Review of a recording (the Review tab, through ReviewTab): a timeline of counts and events with zoom,
 * play/pause/step/seek/speed, the picture with overlays drawn from the stored results exactly as
 * live (same `drawOverlays`), next/previous event, the frame's detections, and export. All data
 * comes through the props, so the panel works over IPC, WebSocket or a test harness alike.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  ReviewEventInfo,
  ReviewExportFormat,
  ReviewExportRequest,
  ReviewFrame,
  ReviewRecordingInfo,
  ReviewTimeline,
} from '../../../shared/review';
import { useFormat } from '../format';
import { errorText } from '../hooks';
import { classColour, DEFAULT_OVERLAYS, drawOverlays, type OverlayOptions } from '../overlay';

export interface ReviewPanelProps {
  recording: ReviewRecordingInfo;
  track: string;
  onTrackChange?: (track: string) => void;
  loadTimeline: (fromMs: number, toMs: number, buckets: number) => Promise<ReviewTimeline>;
  /** The frame at `timeMs`, or `step` frames after (+) or before (−) it. */
  loadFrame: (timeMs: number, step: number) => Promise<ReviewFrame | null>;
  /** Export the request; resolves with a line for the user (where it went, how many frames). */
  onExport: (req: ReviewExportRequest) => Promise<string>;
  overlays?: OverlayOptions;
}

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;
const BUCKETS = 120;
const MIN_SPAN_MS = 1000;
const EXPORT_FORMATS: ReviewExportFormat[] = ['csv', 'jsonl', 'coco', 'yolo', 'labelstudio'];

const EVENT_COLOURS: Record<ReviewEventInfo['kind'], string> = {
  class: '#3b82f6',
  doubtful: '#f59e0b',
  crossing: '#10b981',
  'plc-error': '#ef4444',
  alarm: '#b91c1c',
};

export function ReviewPanel(props: ReviewPanelProps) {
  const { recording, track, loadTimeline, loadFrame, onExport } = props;
  const { t } = useTranslation();
  const f = useFormat();
  const startMs = recording.startMs ?? 0;
  const endMs = Math.max(startMs + MIN_SPAN_MS, recording.endMs ?? startMs);
  const [view, setView] = useState<[number, number]>([startMs, endMs]);
  const [timeline, setTimeline] = useState<ReviewTimeline | null>(null);
  const [allEvents, setAllEvents] = useState<ReviewEventInfo[]>([]);
  const [frame, setFrame] = useState<ReviewFrame | null>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(1);
  const [format, setFormat] = useState<ReviewExportFormat>('coco');
  const [doubtful, setDoubtful] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlays = props.overlays ?? DEFAULT_OVERLAYS;
  const nowMs = frame?.captureTimeMs ?? startMs;

  const fail = (e: unknown) => setError(errorText(e));

  // Every event of the recording, for next/previous whatever the zoom.
  useEffect(() => {
    loadTimeline(startMs, endMs, 1).then((tl) => setAllEvents(tl.events), fail);
  }, [loadTimeline, startMs, endMs, track]);

  useEffect(() => {
    let live = true;
    loadTimeline(view[0], view[1], BUCKETS).then((tl) => live && setTimeline(tl), fail);
    return () => {
      live = false;
    };
  }, [loadTimeline, view, track]);

  const seek = useCallback(
    (timeMs: number, step = 0) => {
      setError(null);
      loadFrame(timeMs, step).then((fr) => fr && setFrame(fr), fail);
    },
    [loadFrame],
  );

  useEffect(() => seek(startMs), [seek, startMs, track]);

  // Draw the stored picture, then the overlays from the stored results of that same frame.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !frame) return;
    canvas.width = frame.widthPx;
    canvas.height = frame.heightPx;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const draw = (img: HTMLImageElement | null) => {
      ctx.clearRect(0, 0, frame.widthPx, frame.heightPx);
      if (img) ctx.drawImage(img, 0, 0, frame.widthPx, frame.heightPx);
      else {
        ctx.fillStyle = '#222';
        ctx.fillRect(0, 0, frame.widthPx, frame.heightPx);
      }
      drawOverlays(
        ctx,
        frame.detections,
        frame.widthPx,
        overlays,
        // The review canvas is drawn at the frame's own size.
        1,
        (s) => f.num(s, 2),
        (a) => f.int(a),
      );
      // What was drawn, for tests and tools: the frame and each box ([classId, x1, y1, x2, y2]).
      canvas.dataset['frameNo'] = String(frame.frameNo);
      canvas.dataset['boxes'] = JSON.stringify(frame.detections.map((d) => [d.classId, ...d.box]));
    };
    if (!frame.pictureDataUrl) return draw(null);
    let live = true;
    const img = new Image();
    img.onload = () => live && draw(img);
    img.onerror = () => live && draw(null);
    img.src = frame.pictureDataUrl;
    return () => {
      live = false;
    };
  }, [frame, overlays, f]);

  // Playback: fetch the next frame, then show it after the real gap between them / speed.
  useEffect(() => {
    if (!playing || !frame) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t0 = performance.now();
    loadFrame(frame.captureTimeMs, 1).then((next) => {
      if (!live) return;
      if (!next || next.frameNo === frame.frameNo) return setPlaying(false);
      const waitMs = Math.max(
        0,
        (next.captureTimeMs - frame.captureTimeMs) / speed - (performance.now() - t0),
      );
      timer = setTimeout(() => live && setFrame(next), waitMs);
    }, fail);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [playing, frame, speed, loadFrame]);

  const zoom = (factor: number) => {
    const span = Math.min(endMs - startMs, Math.max(MIN_SPAN_MS, (view[1] - view[0]) * factor));
    const from = Math.min(Math.max(startMs, nowMs - span / 2), endMs - span);
    setView([from, from + span]);
  };

  const sortedEvents = useMemo(() => [...allEvents].sort((a, b) => a.firstMs - b.firstMs), [allEvents]);
  const jumpEvent = (dir: 1 | -1) => {
    const ev =
      dir > 0
        ? sortedEvents.find((e) => e.firstMs > nowMs)
        : [...sortedEvents].reverse().find((e) => e.firstMs < nowMs);
    if (!ev) return;
    const span = view[1] - view[0];
    if (ev.firstMs < view[0] || ev.firstMs > view[1]) {
      const from = Math.min(Math.max(startMs, ev.firstMs - span / 2), endMs - span);
      setView([from, from + span]);
    }
    seek(ev.firstMs);
  };

  const doExport = () => {
    setMessage(null);
    setError(null);
    onExport({ format, fromMs: view[0], toMs: view[1], doubtful }).then(setMessage, fail);
  };

  const maxCount = Math.max(1, ...(timeline?.buckets.map((b) => b.detections) ?? [1]));
  const xOf = (ms: number) => ((ms - view[0]) / Math.max(1, view[1] - view[0])) * 1000;

  return (
    <div className="panel review-panel" data-testid="review-panel">
      <div className="review-head">
        <strong>{recording.name}</strong>{' '}
        <select
          aria-label={t('review.track', 'Result track')}
          value={track}
          onChange={(e) => props.onTrackChange?.(e.target.value)}
          data-testid="review-track"
        >
          {recording.tracks.map((tr) => (
            <option key={tr.name} value={tr.name}>
              {tr.name} ({tr.model})
            </option>
          ))}
        </select>{' '}
        <span data-testid="review-time">{frame ? f.dateTime(frame.captureTimeMs) : '–'}</span>{' '}
        <span>
          {t('review.frame', 'frame')} <span data-testid="review-frame-no">{frame?.frameNo ?? '–'}</span>
        </span>
      </div>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      <canvas
        ref={canvasRef}
        className="review-canvas"
        data-testid="review-canvas"
        style={{ width: '100%' }}
      />
      <div className="review-controls btn-group wrap">
        <button onClick={() => frame && seek(frame.captureTimeMs, -1)} data-testid="review-step-back">
          {t('review.stepBack', '◀ frame')}
        </button>
        <button onClick={() => setPlaying((p) => !p)} data-testid="review-play">
          {playing ? t('review.pause', 'Pause') : t('review.play', 'Play')}
        </button>
        <button onClick={() => frame && seek(frame.captureTimeMs, 1)} data-testid="review-step-forward">
          {t('review.stepForward', 'frame ▶')}
        </button>
        <select
          aria-label={t('review.speed', 'Speed')}
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value))}
          data-testid="review-speed"
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
        <button onClick={() => jumpEvent(-1)} data-testid="review-prev-event">
          {t('review.prevEvent', '« event')}
        </button>
        <button onClick={() => jumpEvent(1)} data-testid="review-next-event">
          {t('review.nextEvent', 'event »')}
        </button>
        <button onClick={() => zoom(0.5)} data-testid="review-zoom-in">
          {t('review.zoomIn', 'Zoom in')}
        </button>
        <button onClick={() => zoom(2)} data-testid="review-zoom-out">
          {t('review.zoomOut', 'Zoom out')}
        </button>
      </div>
      <svg
        viewBox="0 0 1000 60"
        preserveAspectRatio="none"
        className="review-timeline"
        data-testid="review-timeline"
        style={{ width: '100%', height: 60, cursor: 'pointer' }}
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          seek(view[0] + ((e.clientX - r.left) / Math.max(1, r.width)) * (view[1] - view[0]));
        }}
      >
        {timeline?.buckets.map((b, i) => {
          const h = (b.detections / maxCount) * 40;
          return (
            <rect
              key={i}
              x={xOf(b.startMs)}
              y={45 - h}
              width={Math.max(1, xOf(b.endMs) - xOf(b.startMs) - 0.5)}
              height={h}
              fill="#64748b"
            >
              <title>{`${f.time(b.startMs)}: ${b.detections} (${Object.entries(b.byClass)
                .map(([c, n]) => `${c} ${n}`)
                .join(', ')})`}</title>
            </rect>
          );
        })}
        {timeline?.events.map((ev) => (
          <rect
            key={ev.id}
            x={xOf(ev.startMs)}
            y={48}
            width={Math.max(2, xOf(ev.endMs) - xOf(ev.startMs))}
            height={10}
            fill={EVENT_COLOURS[ev.kind]}
            data-testid="review-event-mark"
          >
            <title>{`${ev.kind}: ${ev.label}`}</title>
          </rect>
        ))}
        {frame && <line x1={xOf(nowMs)} x2={xOf(nowMs)} y1={0} y2={60} stroke="#e11d48" strokeWidth={2} />}
      </svg>
      <table className="data" data-testid="review-detections">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('table.class')}</th>
            <th className="num">{t('table.score')}</th>
            <th className="num">x1</th>
            <th className="num">y1</th>
            <th className="num">x2</th>
            <th className="num">y2</th>
          </tr>
        </thead>
        <tbody>
          {frame?.detections.map((d, i) => (
            <tr key={i} data-testid="review-detection-row">
              <td>{i + 1}</td>
              <td>
                <span className="swatch" style={{ background: classColour(d.classId) }} />
                {d.className}
              </td>
              <td className="num">{f.num(d.score, 2)}</td>
              {d.box.map((v, k) => (
                <td key={k} className="num">
                  {f.num(v, 0)}
                </td>
              ))}
            </tr>
          ))}
          {frame?.candidates.map((d, i) => (
            <tr key={`c${i}`} className="doubtful" data-testid="review-candidate-row">
              <td>?</td>
              <td>{d.className}</td>
              <td className="num">{f.num(d.score, 2)}</td>
              {d.box.map((v, k) => (
                <td key={k} className="num">
                  {f.num(v, 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="review-export btn-group wrap">
        <select
          aria-label={t('review.format', 'Export format')}
          value={format}
          onChange={(e) => setFormat(e.target.value as ReviewExportFormat)}
          data-testid="review-export-format"
        >
          {EXPORT_FORMATS.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        <label className={doubtful ? 'toggle on' : 'toggle'}>
          <input type="checkbox" checked={doubtful} onChange={(e) => setDoubtful(e.target.checked)} />{' '}
          {t('review.doubtfulOnly', 'doubtful only')}
        </label>
        <button onClick={doExport} data-testid="review-export">
          {t('review.exportView', 'Export the visible range')}
        </button>
        {message && <span data-testid="review-export-result">{message}</span>}
      </div>
    </div>
  );
}

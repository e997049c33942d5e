import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PointXy } from '../../../shared/detection';
import type { CountingLine, ZoneShape } from '../../../shared/zones';
import { deleteTarget, hitTest, moveTarget, nextLineName, type EditTarget } from '../../../shared/zone-edit';

export type ZoneTool = 'select' | 'include' | 'exclude' | 'line';

/**
 * Draw, move and delete zones and counting lines on the live picture. An SVG laid exactly over
 * the picture (same box, `viewBox` in picture pixels), driven by pointer events, so mouse, pen
 * and touch all work (`touch-action: none` keeps the browser from scrolling while drawing).
 *
 * - include / exclude: tap corners; tap the first corner again (or double-click) to close the
 *   polygon (3 corners at least). Escape drops the draft.
 * - line: press at one end, drag, release at the other; the arrow shows which way is `in`.
 * - select: drag a corner, a line end, a whole zone or line; Delete (or the button) removes it.
 *
 * Controlled: every finished edit goes through `onChange`; nothing is kept that the parent has not
 * accepted. Not wired into the App here (the lead places it over LiveView).
 */
export function ZoneEditor(props: {
  widthPx: number;
  heightPx: number;
  zones: readonly ZoneShape[];
  lines: readonly CountingLine[];
  onChange: (next: { zones: ZoneShape[]; lines: CountingLine[] }) => void;
  tool: ZoneTool;
  /** Most lines the PLC layout has room for. */
  maxLines?: number;
}) {
  const { t } = useTranslation();
  const svgRef = useRef<SVGSVGElement>(null);
  const [draft, setDraft] = useState<PointXy[]>([]);
  const [lineDraft, setLineDraft] = useState<{ from: PointXy; to: PointXy } | null>(null);
  const [selected, setSelected] = useState<EditTarget | null>(null);
  const [drag, setDrag] = useState<{ target: EditTarget; start: PointXy; preview: PointXy } | null>(null);
  const { widthPx, heightPx, zones, lines, onChange, tool } = props;
  // Handles and hit distances a finger can hit: ~2.5 % of the picture width.
  const handlePx = Math.max(6, widthPx / 40);
  const stroke = Math.max(1.5, widthPx / 400);

  useEffect(() => {
    setDraft([]);
    setLineDraft(null);
    setSelected(null);
  }, [tool]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        setDraft([]);
        setLineDraft(null);
        setSelected(null);
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && selected) {
        onChange(deleteTarget(selected, zones, lines));
        setSelected(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, zones, lines, onChange]);

  const toPicture = (e: ReactPointerEvent): PointXy => {
    const r = svgRef.current!.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * widthPx;
    const y = ((e.clientY - r.top) / r.height) * heightPx;
    return [Math.min(widthPx, Math.max(0, Math.round(x))), Math.min(heightPx, Math.max(0, Math.round(y)))];
  };

  const closeDraft = (points: PointXy[]): void => {
    if (points.length >= 3 && (tool === 'include' || tool === 'exclude'))
      onChange({ zones: [...zones, { kind: tool, polygon: points }], lines: [...lines] });
    setDraft([]);
  };

  const onPointerDown = (e: ReactPointerEvent<SVGSVGElement>): void => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    const p = toPicture(e);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (tool === 'include' || tool === 'exclude') {
      const first = draft[0];
      if (first && draft.length >= 3 && Math.hypot(p[0] - first[0], p[1] - first[1]) <= handlePx)
        closeDraft(draft);
      else setDraft([...draft, p]);
      return;
    }
    if (tool === 'line') {
      if (lines.length < (props.maxLines ?? 8)) setLineDraft({ from: p, to: p });
      return;
    }
    const target = hitTest(p, zones, lines, handlePx);
    setSelected(target);
    if (target) setDrag({ target, start: p, preview: p });
  };

  const onPointerMove = (e: ReactPointerEvent<SVGSVGElement>): void => {
    if (lineDraft) setLineDraft({ ...lineDraft, to: toPicture(e) });
    else if (drag) setDrag({ ...drag, preview: toPicture(e) });
  };

  const onPointerUp = (e: ReactPointerEvent<SVGSVGElement>): void => {
    if (lineDraft) {
      const to = toPicture(e);
      const [x1, y1] = lineDraft.from;
      if (Math.hypot(to[0] - x1, to[1] - y1) >= handlePx)
        onChange({
          zones: [...zones],
          lines: [...lines, { name: nextLineName(lines), x1, y1, x2: to[0], y2: to[1] }],
        });
      setLineDraft(null);
    } else if (drag) {
      const end = toPicture(e);
      const dx = end[0] - drag.start[0];
      const dy = end[1] - drag.start[1];
      if (dx !== 0 || dy !== 0) onChange(moveTarget(drag.target, dx, dy, zones, lines, widthPx, heightPx));
      setDrag(null);
    }
  };

  // While dragging, show the moved shapes without committing them.
  const shown = drag
    ? moveTarget(
        drag.target,
        drag.preview[0] - drag.start[0],
        drag.preview[1] - drag.start[1],
        zones,
        lines,
        widthPx,
        heightPx,
      )
    : { zones, lines };
  const isSelected = (target: EditTarget['type'], index: number): boolean =>
    selected !== null &&
    (((selected.type === 'zone' || selected.type === 'zone-vertex') &&
      target === 'zone' &&
      selected.zone === index) ||
      ((selected.type === 'line' || selected.type === 'line-end') &&
        target === 'line' &&
        selected.line === index));
  const fontPx = Math.max(12, Math.round(widthPx / 60));

  return (
    // Covers the picture's box: the parent is the positioned element that holds the picture.
    <div className="zone-editor" data-testid="zone-editor" style={{ position: 'absolute', inset: 0 }}>
      <svg
        ref={svgRef}
        viewBox={`0 0 ${widthPx} ${heightPx}`}
        preserveAspectRatio="none"
        style={{
          position: 'absolute',
          inset: 0,
          width: '100%',
          height: '100%',
          touchAction: 'none',
          userSelect: 'none',
        }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          setDrag(null);
          setLineDraft(null);
        }}
        onDoubleClick={() => closeDraft(draft)}
        role="application"
        aria-label={t('zones.editorLabel', { defaultValue: 'Zone and line editor' })}
      >
        {shown.zones.map((z, i) => (
          <g key={`z${i}`} data-testid={`zone-${i}`}>
            <polygon
              points={z.polygon.map((p) => p.join(',')).join(' ')}
              fill={z.kind === 'include' ? 'rgba(40, 200, 90, 0.18)' : 'rgba(230, 50, 50, 0.25)'}
              stroke={z.kind === 'include' ? '#28c85a' : '#e63232'}
              strokeWidth={isSelected('zone', i) ? stroke * 2 : stroke}
              strokeDasharray={z.kind === 'exclude' ? `${stroke * 4} ${stroke * 3}` : undefined}
            />
            {tool === 'select' &&
              z.polygon.map((p, v) => (
                <circle
                  key={v}
                  cx={p[0]}
                  cy={p[1]}
                  r={handlePx / 2}
                  fill="#fff"
                  stroke="#222"
                  strokeWidth={stroke / 2}
                />
              ))}
          </g>
        ))}
        {shown.lines.map((l, i) => {
          const mx = (l.x1 + l.x2) / 2;
          const my = (l.y1 + l.y2) / 2;
          const len = Math.hypot(l.x2 - l.x1, l.y2 - l.y1) || 1;
          // `in` goes towards cross < 0: the direction (dy, −dx) / len from the line.
          const nx = (l.y2 - l.y1) / len;
          const ny = -(l.x2 - l.x1) / len;
          const arrow = handlePx * 1.6;
          return (
            <g key={`l${i}`} data-testid={`line-${i}`}>
              <line
                x1={l.x1}
                y1={l.y1}
                x2={l.x2}
                y2={l.y2}
                stroke="#ffd400"
                strokeWidth={isSelected('line', i) ? stroke * 3 : stroke * 2}
              />
              <line
                x1={mx - nx * arrow}
                y1={my - ny * arrow}
                x2={mx + nx * arrow}
                y2={my + ny * arrow}
                stroke="#ffd400"
                strokeWidth={stroke}
                markerEnd="url(#zone-editor-arrow)"
              />
              <text x={mx + nx * arrow} y={my + ny * arrow - fontPx * 0.4} fill="#ffd400" fontSize={fontPx}>
                {l.name} ({t('zones.in', { defaultValue: 'in' })})
              </text>
              {tool === 'select' &&
                [
                  [l.x1, l.y1],
                  [l.x2, l.y2],
                ].map(([x, y], k) => (
                  <circle
                    key={k}
                    cx={x}
                    cy={y}
                    r={handlePx / 2}
                    fill="#fff"
                    stroke="#222"
                    strokeWidth={stroke / 2}
                  />
                ))}
            </g>
          );
        })}
        {draft.length > 0 && (
          <g data-testid="zone-draft">
            <polyline
              points={draft.map((p) => p.join(',')).join(' ')}
              fill="none"
              stroke={tool === 'exclude' ? '#e63232' : '#28c85a'}
              strokeWidth={stroke}
            />
            {draft.map((p, i) => (
              <circle key={i} cx={p[0]} cy={p[1]} r={i === 0 ? handlePx / 2 : handlePx / 3} fill="#fff" />
            ))}
          </g>
        )}
        {lineDraft && (
          <line
            x1={lineDraft.from[0]}
            y1={lineDraft.from[1]}
            x2={lineDraft.to[0]}
            y2={lineDraft.to[1]}
            stroke="#ffd400"
            strokeWidth={stroke * 2}
            strokeDasharray={`${stroke * 3} ${stroke * 2}`}
          />
        )}
        <defs>
          <marker
            id="zone-editor-arrow"
            viewBox="0 0 10 10"
            refX="8"
            refY="5"
            markerWidth="5"
            markerHeight="5"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#ffd400" />
          </marker>
        </defs>
      </svg>
      {selected && tool === 'select' && (
        <button
          className="zone-editor-delete danger"
          data-testid="zone-editor-delete"
          style={{ position: 'absolute', right: 8, top: 8 }}
          onClick={() => {
            onChange(deleteTarget(selected, zones, lines));
            setSelected(null);
          }}
        >
          {t('zones.delete', { defaultValue: 'Delete' })}
        </button>
      )}
    </div>
  );
}

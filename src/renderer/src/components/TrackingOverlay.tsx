import { useEffect, useRef, useState } from 'react';
import { useTracking } from '../tracking-store';
import { classColour } from '../overlay';
import { ZoneEditor } from './ZoneEditor';

/** The picture's box inside its panel under `object-fit: contain`, in CSS pixels. */
function containedBox(
  outer: { width: number; height: number },
  picture: { width: number; height: number },
): { left: number; top: number; width: number; height: number } {
  const scale = Math.min(outer.width / picture.width, outer.height / picture.height);
  const width = picture.width * scale;
  const height = picture.height * scale;
  return { left: (outer.width - width) / 2, top: (outer.height - height) / 2, width, height };
}

/**
 * Zones, counting lines and track trails over the live picture, laid exactly on the picture's box.
 * While the counting tab edits (a tool is chosen) the zone editor takes pointer input; otherwise
 * everything here lets pointer input through.
 */
export function TrackingOverlay() {
  const { view, store } = useTracking();
  const ref = useRef<HTMLDivElement>(null);
  const [outer, setOuter] = useState<{ width: number; height: number } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setOuter({ width: el.clientWidth, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const size = view.sizePx;
  const box = outer && size && outer.width > 0 ? containedBox(outer, size) : null;
  const config = view.config;
  const editing = view.tool !== null;
  return (
    <div
      ref={ref}
      style={{ position: 'absolute', inset: 0, pointerEvents: 'none' }}
      data-testid="tracking-overlay"
    >
      {box && size && (
        <div style={{ position: 'absolute', ...box }}>
          <svg
            viewBox={`0 0 ${size.width} ${size.height}`}
            preserveAspectRatio="none"
            data-testid="trails"
            data-trails={view.trails.filter((t) => t.points.length >= 2).length}
            style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }}
          >
            {view.trails
              .filter((t) => t.points.length >= 2)
              .map((t) => (
                <polyline
                  key={t.trackId}
                  points={t.points.map((p) => `${p[0]},${p[1]}`).join(' ')}
                  fill="none"
                  stroke={classColour(t.classId, 0.9)}
                  strokeWidth={Math.max(2, size.width / 320)}
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              ))}
          </svg>
          {config && (editing || config.zones.length > 0 || config.lines.length > 0) && (
            <div style={{ position: 'absolute', inset: 0, pointerEvents: editing ? 'auto' : 'none' }}>
              <ZoneEditor
                widthPx={size.width}
                heightPx={size.height}
                zones={config.zones}
                lines={config.lines}
                tool={view.tool ?? 'select'}
                onChange={(next) => void store.setLayout(next)}
              />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

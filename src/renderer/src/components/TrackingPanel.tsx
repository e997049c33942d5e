import { useTranslation } from 'react-i18next';
import { useTracking } from '../tracking-store';
import { CounterTiles } from './CounterTiles';
import { CrossingEventsList } from './CrossingEventsList';
import { ShiftCountsPanel } from './ShiftCountsPanel';
import type { ZoneTool } from './ZoneEditor';

const TOOLS: readonly ZoneTool[] = ['line', 'include', 'exclude', 'select'];

/**
 * The counting tab: the tools that draw zones and lines on the live picture, one large tile per
 * line with a confirmed reset, and the newest crossings.
 */
export function TrackingPanel() {
  const { t } = useTranslation();
  const { view, store } = useTracking();
  const config = view.config;
  return (
    <div className="tracking-panel" data-testid="tracking-panel">
      {config && !config.enabled && (
        <p className="muted" data-testid="tracking-off">
          {t('tracking.off')}
        </p>
      )}
      <div className="segmented" role="toolbar" aria-label={t('tracking.tools')}>
        {TOOLS.map((tool) => (
          <button
            key={tool}
            data-testid={`tracking-tool-${tool}`}
            aria-pressed={view.tool === tool}
            className={view.tool === tool ? 'active' : ''}
            onClick={() => store.setTool(view.tool === tool ? null : tool)}
          >
            {t(`tracking.tool.${tool}`)}
          </button>
        ))}
      </div>
      <p className="muted small" data-testid="tracking-hint">
        {t(view.tool ? `tracking.hint.${view.tool}` : 'tracking.hint.none')}
      </p>
      {view.error && (
        <div className="error-box" role="alert" data-testid="tracking-error">
          {view.error}
        </div>
      )}
      <CounterTiles counts={view.counts} onReset={() => void store.reset()} />
      <h3>{t('tracking.events')}</h3>
      <CrossingEventsList events={view.events} limit={30} />
      <ShiftCountsPanel counts={view.counts} />
    </div>
  );
}

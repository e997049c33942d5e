import { useTranslation } from 'react-i18next';
import { TARGET_FPS, type PlcLinkStateName, type PlcStatus, type SourceStateName } from '../../../shared/api';
import { useStation } from '../station-state';
import { useFormat } from '../format';
import { useNow } from '../hooks';
import { stationVerdict, type StationState } from '../../../shared/verdict';
import { useAlarmText } from '../alarm-text';
import { useCameras } from '../cameras-store';

export type Level = 'ok' | 'warn' | 'bad' | 'off';

export const SOURCE_LEVEL: Record<SourceStateName, Level> = {
  live: 'ok',
  starting: 'warn',
  reconnecting: 'bad',
  stalled: 'bad',
  stopped: 'bad',
  error: 'bad',
};

export const PLC_LEVEL: Record<PlcLinkStateName, Level> = {
  stalled: 'warn',
  connected: 'ok',
  connecting: 'warn',
  disconnected: 'bad',
  off: 'off',
};

/** A link that is retrying after an error is down, not merely starting: red. */
export function plcLevel(plc: PlcStatus | null): Level {
  if (!plc) return 'off';
  if (plc.state === 'connecting' && plc.lastError) return 'bad';
  return PLC_LEVEL[plc.state];
}

function Tile(props: {
  testId: string;
  level: Level;
  state?: string;
  title: string;
  value: string;
  detail?: string;
  /** A word shown beside the title in capitals (DEMO). */
  badge?: string;
  onClick?: () => void;
}) {
  return (
    <div
      className={`tile level-${props.level}${props.onClick ? ' clickable' : ''}`}
      data-testid={props.testId}
      data-level={props.level}
      data-state={props.state}
      onClick={props.onClick}
      role={props.onClick ? 'button' : undefined}
      title={props.detail}
    >
      <div className="tile-title">
        {props.title}
        {props.badge && (
          <span className="tile-badge" data-testid={`${props.testId}-badge`}>
            {props.badge}
          </span>
        )}
      </div>
      <div className="tile-value" data-testid={`${props.testId}-value`}>
        {props.value}
      </div>
      {props.detail !== undefined && <div className="tile-detail">{props.detail}</div>}
    </div>
  );
}

const VERDICT_LEVEL: Record<StationState, Level> = { ok: 'ok', warning: 'warn', stopped: 'bad' };

/** The one answer at a glance: OK / WARNING / STOPPED with the reason (the most severe active alarm). */
function VerdictTile({ onOpenTab }: { onOpenTab: (tab: string) => void }) {
  const { t } = useTranslation();
  const { view } = useStation();
  const alarmText = useAlarmText();
  const linkUp = view.connection.kind === 'open';
  // The main camera's problems are alarms already; the others weigh in by their state.
  const others = useCameras().slice(1);
  const v = stationVerdict(view.alarms, others);
  const state = linkUp ? v.state : 'unknown';
  const level: Level = linkUp ? VERDICT_LEVEL[v.state] : 'off';
  // With the PLC off nothing reaches one: saying so is the truth at a glance.
  const allGood = view.plc?.state === 'off' ? t('verdict.allGoodNoPlc') : t('verdict.allGood');
  const reason = !linkUp
    ? t('verdict.noLink')
    : v.camera
      ? t('cameras.verdict', { name: v.camera.name, state: t(`sourceState.${v.camera.state}`) })
      : v.cause
        ? alarmText(v.cause)
        : allGood;
  return (
    <div
      className={`tile verdict level-${level} clickable`}
      data-testid="verdict"
      data-state={state}
      data-level={level}
      data-cause={v.camera ? `camera:${v.camera.name}` : (v.cause?.kind ?? '')}
      role="button"
      onClick={() => onOpenTab('alarms')}
      title={reason}
    >
      <div className="tile-title">{t('verdict.title')}</div>
      <div className="verdict-value" data-testid="verdict-value">
        {t(`verdict.${state}`)}
      </div>
      <div className="verdict-reason" data-testid="verdict-reason">
        {reason}
      </div>
    </div>
  );
}

export function StatusBar({ onOpenTab }: { onOpenTab: (tab: string) => void }) {
  const { t } = useTranslation();
  const { view } = useStation();
  const f = useFormat();
  const now = useNow(250);
  const { source, model, plc, stats, alarms, connection } = view;
  const target = stats?.targetFps ?? TARGET_FPS;
  const fps = stats?.fps ?? null;
  const fpsLevel: Level = fps === null ? 'off' : fps < target ? 'bad' : 'ok';
  const unacked = alarms.filter((a) => !a.acknowledged);
  const activeUnacked = unacked.filter((a) => a.active);
  const alarmText = useAlarmText();
  // The most severe active alarm; else the newest one still waiting for an acknowledgement.
  const headline =
    stationVerdict(alarms).cause ??
    unacked.reduce<(typeof unacked)[number] | null>(
      (a, b) => (!a || b.raisedAtMs > a.raisedAtMs ? b : a),
      null,
    );
  const connLevel: Level =
    connection.kind === 'open' ? 'ok' : connection.kind === 'connecting' ? 'warn' : 'bad';
  // Without the link, the last known states are not the truth any more: show them greyed.
  const linkUp = connection.kind === 'open';
  const lv = (l: Level): Level => (linkUp ? l : 'off');
  const retryIn = connection.retryAtMs ? Math.max(0, (connection.retryAtMs - now) / 1000) : null;

  const modelLevel: Level = !model
    ? 'off'
    : model.state === 'failed'
      ? model.active
        ? 'warn'
        : 'bad'
      : model.state === 'loading'
        ? 'warn'
        : model.active
          ? 'ok'
          : 'bad';
  const lastWriteAge = plc?.lastWriteTimeMs ? (now - plc.lastWriteTimeMs) / 1000 : null;

  return (
    <header className="status-bar" data-testid="status-bar">
      <div className="brand">
        <div className="brand-name">Vision Station</div>
        <div className="brand-sub" data-testid="backend" data-backend={view.app?.backend ?? ''}>
          {view.app ? `${view.app.backend} · v${view.app.version}` : t('status.connecting')}
        </div>
      </div>
      <VerdictTile onOpenTab={onOpenTab} />
      {connection.kind !== 'open' && (
        <Tile
          testId="status-connection"
          level={connLevel}
          state={connection.kind}
          title={t('status.link')}
          value={t(
            connection.kind === 'connecting' && connection.attempt > 0
              ? 'connection.reconnecting'
              : `connection.${connection.kind}`,
          )}
          detail={
            retryIn !== null
              ? t('connection.retryIn', { s: f.num(retryIn, 1) })
              : (connection.lastError ?? undefined)
          }
        />
      )}
      <Tile
        testId="status-source"
        level={lv(source ? SOURCE_LEVEL[source.state] : 'off')}
        state={source?.state}
        title={t('status.source')}
        value={source ? t(`sourceState.${source.state}`) : '–'}
        badge={source?.demo ? t('status.demo') : undefined}
        detail={
          source ? (source.demo ? t('status.demoDetail') : source.description || source.uri) : undefined
        }
        onClick={() => onOpenTab('source')}
      />
      <Tile
        testId="status-model"
        level={lv(modelLevel)}
        state={model?.state}
        title={t('status.model')}
        value={
          model?.active
            ? model.active.name
            : model?.state === 'loading'
              ? t('model.loading')
              : t('model.none')
        }
        detail={
          model?.state === 'loading'
            ? t('model.loadingId', { id: model.loadingId ?? '' })
            : model?.active
              ? `${model.active.provider.toUpperCase()} · ${model.active.family}`
              : (model?.message ?? undefined)
        }
        onClick={() => onOpenTab('model')}
      />
      <Tile
        testId="status-plc"
        level={lv(plcLevel(plc))}
        state={plc?.state}
        title={t('status.plc')}
        value={
          plc
            ? t(
                plc.state === 'connecting' && plc.lastError
                  ? 'plcState.reconnecting'
                  : `plcState.${plc.state}`,
              )
            : '–'
        }
        detail={
          plc && plc.state !== 'off'
            ? `${plc.state === 'connecting' && plc.lastError ? `${t('plc.retrying')} · ` : ''}${t('plc.lifeCounter')} ${f.int(plc.lifeCounter)} · ${t('plc.lastWrite')} ${lastWriteAge === null ? '–' : `${f.num(lastWriteAge, 1)} s`}`
            : undefined
        }
        onClick={() => onOpenTab('plc')}
      />
      <Tile
        testId="status-fps"
        level={lv(fpsLevel)}
        title={t('status.fps')}
        value={fps === null ? '–' : f.num(fps, 1)}
        detail={t('status.fpsTarget', { target: f.int(target) })}
        onClick={() => onOpenTab('performance')}
      />
      <Tile
        testId="status-alarms"
        level={lv(activeUnacked.length > 0 ? 'bad' : unacked.length > 0 ? 'warn' : 'ok')}
        title={t('status.alarms')}
        value={f.int(unacked.length)}
        state={headline?.kind}
        detail={headline ? alarmText(headline) : t('alarms.none')}
        onClick={() => onOpenTab('alarms')}
      />
    </header>
  );
}

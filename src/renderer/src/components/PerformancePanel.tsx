import { memo, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { withGaps, type HistoryMinute } from '../../../shared/history-ring';
import {
  Area,
  Line,
  LineChart,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { TARGET_FPS, type Percentiles, type StatsSnapshot } from '../../../shared/api';
import { useStation, type FpsPoint } from '../station-state';
import { useHeld } from '../hooks';
import { useFormat } from '../format';
import type { TransportRates } from '../frame-hub';

const MIN_SPAN_MS = 60_000;
/** Stats arrive each second: a longer silence is an outage. */
const GAP_AFTER_MS = 3_000;
const HISTORY_REFRESH_MS = 30_000;
/**
 * The charts are drawn again every 3 s, not with each stats message: on a 2-core station with the
 * browser beside it, drawing them each second took 0.06 of a core, frames the PLC did not get.
 */
const CHART_PERIOD_MS = 3_000;
const AXIS = { stroke: '#9aa4b2', fontSize: 13 };

function Figure({
  testId,
  label,
  value,
  raw,
  level,
}: {
  testId: string;
  label: string;
  value: string;
  raw?: number;
  level?: string;
}) {
  return (
    <div className={`figure${level ? ` level-${level}` : ''}`} data-testid={testId} data-value={raw}>
      <div className="figure-label">{label}</div>
      <div className="figure-value">{value}</div>
    </div>
  );
}

function PercentileRow({ name, p }: { name: string; p: Percentiles }) {
  const f = useFormat();
  return (
    <tr>
      <td>{name}</td>
      <td className="num">{f.ms(p.p50)}</td>
      <td className="num">{f.ms(p.p95)}</td>
      <td className="num">{f.ms(p.p99)}</td>
    </tr>
  );
}

export function useTransportRates(): TransportRates {
  const { frames } = useStation();
  const [rates, setRates] = useState(frames.currentRates());
  useEffect(() => frames.onRates(setRates), [frames]);
  return rates;
}

export function TransportFigures() {
  const { t } = useTranslation();
  const f = useFormat();
  const r = useTransportRates();
  return (
    <div className="figures" data-testid="transport" data-window={r.windowSec.toFixed(2)}>
      <Figure
        testId="transport-bytes-per-sec"
        label={t('perf.bytesPerSec')}
        value={f.bytesPerSec(r.bytesPerSec)}
        raw={Math.round(r.bytesPerSec)}
      />
      <Figure
        testId="transport-received-fps"
        label={t('perf.receivedFps')}
        value={f.num(r.framesReceivedPerSec, 1)}
        raw={Number(r.framesReceivedPerSec.toFixed(2))}
      />
      <Figure
        testId="transport-drawn-fps"
        label={t('perf.drawnFps')}
        value={f.num(r.framesDrawnPerSec, 1)}
        raw={Number(r.framesDrawnPerSec.toFixed(2))}
      />
      <Figure
        testId="transport-frame-bytes"
        label={t('perf.frameBytes')}
        value={f.bytes(r.meanFrameBytes)}
        raw={Math.round(r.meanFrameBytes)}
      />
      <Figure
        testId="transport-skipped-fps"
        label={t('perf.skippedFps')}
        value={f.num(r.framesSkippedPerSec, 1)}
        raw={Number(r.framesSkippedPerSec.toFixed(2))}
      />
    </div>
  );
}

export default function PerformancePanel() {
  const { t } = useTranslation();
  const f = useFormat();
  const { view } = useStation();
  const { stats, fpsHistory } = view;
  const target = stats?.targetFps ?? TARGET_FPS;
  // The figures follow every stats message; the charts every few seconds (see CHART_PERIOD_MS).
  const chartStats = useHeld(stats, CHART_PERIOD_MS);
  const chartHistory = useHeld(fpsHistory, CHART_PERIOD_MS);
  const droppedPct =
    stats && stats.frames + stats.dropped > 0 ? stats.dropped / (stats.frames + stats.dropped) : 0;

  return (
    <div className="panel perf" data-testid="performance-panel">
      <div className="figures">
        <Figure
          testId="perf-fps"
          label={t('status.fps')}
          value={f.num(stats?.fps, 1)}
          raw={stats?.fps}
          level={stats && stats.fps < target ? 'bad' : 'ok'}
        />
        <Figure
          testId="perf-frames"
          label={t('perf.frames')}
          value={f.int(stats?.frames)}
          raw={stats?.frames}
        />
        <Figure
          testId="perf-dropped"
          label={t('perf.dropped')}
          value={`${f.int(stats?.dropped)} (${f.pct(droppedPct)})`}
          raw={stats?.dropped}
        />
        <Figure
          testId="perf-errors"
          label={t('perf.errors')}
          value={f.int(stats?.errors)}
          raw={stats?.errors}
          level={stats && stats.errors > 0 ? 'warn' : undefined}
        />
      </div>

      <h3>{t('perf.fpsOverTime')}</h3>
      <FpsChart history={chartHistory} target={target} />

      <StationHistory />

      <h3>{t('perf.stages')}</h3>
      <StageChart stats={chartStats} />

      <h3>{t('perf.latency')}</h3>
      <table className="data compact" data-testid="latency-table">
        <thead>
          <tr>
            <th />
            <th className="num">p50</th>
            <th className="num">p95</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {stats && <PercentileRow name={t('perf.captureToResult')} p={stats.latencyMs} />}
          {stats && <PercentileRow name={t('perf.captureToPlc')} p={stats.plcLatencyMs} />}
        </tbody>
      </table>

      <h3>{t('perf.transport')}</h3>
      <TransportFigures />
    </div>
  );
}

/** FPS over the last minutes; drawn again only when `history` changes (held: see CHART_PERIOD_MS). */
const FpsChart = memo(function FpsChart({ history, target }: { history: FpsPoint[]; target: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const maxFps = Math.max(target * 2, ...history.map((p) => p.fps));
  // Ticks are multiples of the target, so the target itself is always one of them.
  const step = target * Math.max(1, Math.ceil(maxFps / target / 8));
  const yMax = Math.ceil((maxFps * 1.1) / step) * step;
  const yTicks = Array.from({ length: yMax / step + 1 }, (_, i) => i * step);
  // A gap in the samples (link down, station restarting) is drawn as a gap, not a line across it.
  const data = useMemo(() => {
    const out: { t: number; fps: number | null }[] = [];
    for (const p of history) {
      const prev = out[out.length - 1];
      if (prev && p.t - prev.t > GAP_AFTER_MS) out.push({ t: prev.t + 1, fps: null });
      out.push({ t: p.t, fps: Number(p.fps.toFixed(2)) });
    }
    return out;
  }, [history]);
  // At least a minute on the time axis, ending at the newest sample.
  const tEnd = data.length ? data[data.length - 1].t : Date.now();
  const tStart = Math.min(data.length ? data[0].t : tEnd, tEnd - MIN_SPAN_MS);
  return (
    <div className="chart" data-testid="fps-chart" data-target={target}>
      <ResponsiveContainer width="100%" height={220}>
        <AreaChart data={data} margin={{ top: 10, right: 20, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#2a3340" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={[tStart, tEnd]}
            allowDataOverflow
            tickFormatter={(v: number) => f.time(v)}
            {...AXIS}
            minTickGap={40}
          />
          <YAxis domain={[0, yMax]} ticks={yTicks} allowDecimals={false} {...AXIS} width={40} />
          <ReferenceArea y1={0} y2={target} fill="#ff4d4f" fillOpacity={0.14} ifOverflow="extendDomain" />
          <ReferenceLine
            y={target}
            stroke="#ff4d4f"
            strokeWidth={2}
            strokeDasharray="6 4"
            label={{
              value: t('perf.targetLine', { fps: target }),
              fill: '#ff7875',
              position: 'insideTopRight',
              fontSize: 13,
            }}
          />
          <Tooltip
            labelFormatter={(v) => f.time(Number(v))}
            formatter={(v) => [f.num(Number(v), 1), 'fps']}
            contentStyle={{ background: '#111821', border: '1px solid #2a3340' }}
          />
          <Area
            type="monotone"
            dataKey="fps"
            stroke="#4cc9f0"
            fill="#4cc9f0"
            fillOpacity={0.18}
            strokeWidth={2}
            isAnimationActive={false}
            dot={false}
            connectNulls={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
});

/** Stage latency percentiles; drawn again only when `stats` changes (held: see CHART_PERIOD_MS). */
const StageChart = memo(function StageChart({ stats }: { stats: StatsSnapshot | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  const stageData = stats
    ? [
        {
          stage: t('perf.stage.capture'),
          p50: stats.stages.captureWaitMs.p50,
          p95: stats.stages.captureWaitMs.p95,
        },
        { stage: t('perf.stage.pre'), p50: stats.stages.preMs.p50, p95: stats.stages.preMs.p95 },
        { stage: t('perf.stage.infer'), p50: stats.stages.inferMs.p50, p95: stats.stages.inferMs.p95 },
        { stage: t('perf.stage.post'), p50: stats.stages.postMs.p50, p95: stats.stages.postMs.p95 },
        { stage: t('perf.stage.sink'), p50: stats.stages.sinkMs.p50, p95: stats.stages.sinkMs.p95 },
        { stage: t('perf.stage.plc'), p50: stats.stages.plcWriteMs.p50, p95: stats.stages.plcWriteMs.p95 },
      ]
    : [];
  return (
    <div className="chart" data-testid="stage-chart">
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={stageData} layout="vertical" margin={{ top: 0, right: 20, bottom: 0, left: 10 }}>
          <CartesianGrid stroke="#2a3340" strokeDasharray="3 3" />
          <XAxis type="number" unit=" ms" {...AXIS} />
          <YAxis type="category" dataKey="stage" width={90} {...AXIS} />
          <Tooltip
            formatter={(v) => f.ms(Number(v))}
            contentStyle={{ background: '#111821', border: '1px solid #2a3340' }}
          />
          <Legend />
          <Bar dataKey="p50" name="p50" fill="#4cc9f0" isAnimationActive={false} />
          <Bar dataKey="p95" name="p95" fill="#f72585" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
});

/** FPS, latency and drops per minute as kept on the station: the last shift survives reloads and restarts. */
function StationHistory() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [minutes, setMinutes] = useState<HistoryMinute[] | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      client.getHistory().then(
        (m) => alive && setMinutes(m),
        () => undefined, // the chart keeps the last answer; the status bar shows a lost link
      );
    void load();
    const timer = setInterval(() => void load(), HISTORY_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [client]);
  const data = useMemo(() => withGaps(minutes ?? [], Date.now()), [minutes]);
  return (
    <>
      <h3>{t('history.title')}</h3>
      <div className="chart" data-testid="history-chart" data-minutes={minutes?.length ?? 0}>
        <HistoryChart data={data} />
      </div>
    </>
  );
}

/** The per-minute history; drawn again only when the station's answer changes (every 30 s). */
const HistoryChart = memo(function HistoryChart({ data }: { data: ReturnType<typeof withGaps> }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (data.length === 0) return <p className="muted">{t('history.empty')}</p>;
  return (
    <ResponsiveContainer width="100%" height={200}>
      <LineChart data={data} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="#2a3340" strokeDasharray="3 3" />
        <XAxis
          dataKey="minuteMs"
          type="number"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(v: number) => f.time(v)}
          {...AXIS}
          minTickGap={40}
        />
        <YAxis yAxisId="rate" allowDecimals={false} {...AXIS} width={40} />
        <YAxis yAxisId="ms" orientation="right" {...AXIS} width={50} />
        <Tooltip
          labelFormatter={(v) => f.time(Number(v))}
          contentStyle={{ background: '#111821', border: '1px solid #2a3340' }}
        />
        <Legend />
        <Line
          yAxisId="rate"
          dataKey="fps"
          name={t('history.fps')}
          stroke="#4cc9f0"
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
          strokeWidth={2}
        />
        <Line
          yAxisId="rate"
          dataKey="drops"
          name={t('history.drops')}
          stroke="#f5a524"
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="ms"
          dataKey="latencyP95Ms"
          name={t('history.latency')}
          stroke="#f72585"
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
});

/**
 * Evaluation tab: choose a labelled set and models, run them with progress and cancel, then compare
 * speed and accuracy (scatter with the fps target line), read the results table, the
 * precision–recall curves and the confusion matrix. A click on a model (point or button) asks to make
 * it the active model. Stateless about the run itself: the owner passes results and callbacks
 * (EvaluationTab wires it to the station).
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import type { EvaluationProgress, EvaluationResults, ModelEvaluation } from '../../../shared/evaluation';
import { useFormat } from '../format';

export interface EvaluationChoice {
  path: string;
  label: string;
}

export interface EvaluationPanelProps {
  datasets: EvaluationChoice[];
  models: EvaluationChoice[];
  running: boolean;
  progress: EvaluationProgress | null;
  results: EvaluationResults | null;
  error: string | null;
  activeModelPath: string | null;
  onStart: (request: { dataPath: string; modelPaths: string[] }) => void;
  onCancel: () => void;
  onActivateModel: (modelPath: string) => void;
}

const AXIS = { stroke: '#9aa4b2', fontSize: 13 };
const COLOURS = ['#4e9af1', '#f1a84e', '#5cc98a', '#e2607a', '#b07ef0', '#4ec9c9', '#d6d65a', '#c98a5c'];
const HOLDS = '#5cc98a';
const MISSES = '#e2607a';

function SpeedAccuracyChart({
  results,
  activeModelPath,
  onActivateModel,
}: {
  results: EvaluationResults;
  activeModelPath: string | null;
  onActivateModel: (modelPath: string) => void;
}) {
  const { t } = useTranslation();
  const required = results.targetFps * results.headroom;
  const points = results.models.map((m) => ({
    name: m.name,
    modelPath: m.modelPath,
    fps: m.fps,
    map: m.stats.AP,
    holds: m.fps >= required,
    active: m.modelPath === activeModelPath,
  }));
  // Room right of the fastest point for its name.
  const xMax = Math.ceil(Math.max(required * 1.2, ...points.map((p) => p.fps * 1.4)));
  // Models are usually close in mAP: start the axis just below the weakest one so they separate.
  const yMin = Math.max(0, Math.floor((Math.min(1, ...points.map((p) => p.map)) - 0.1) * 10) / 10);
  return (
    <div data-testid="eval-speed-accuracy" data-target-fps={results.targetFps}>
      <ResponsiveContainer width="100%" height={280}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="#2c333d" />
          <XAxis
            type="number"
            dataKey="fps"
            domain={[0, xMax]}
            name="fps"
            tick={AXIS}
            stroke={AXIS.stroke}
            label={{
              value: t('eval.fps', 'fps on this station'),
              position: 'insideBottom',
              offset: -12,
              fill: AXIS.stroke,
            }}
          />
          <YAxis
            type="number"
            dataKey="map"
            domain={[yMin, 1]}
            name="mAP50-95"
            tick={AXIS}
            stroke={AXIS.stroke}
            label={{ value: 'mAP50-95', angle: -90, position: 'insideLeft', fill: AXIS.stroke }}
          />
          <ZAxis range={[120, 120]} />
          <ReferenceLine
            x={results.targetFps}
            stroke={MISSES}
            strokeWidth={2}
            ifOverflow="extendDomain"
            label={{
              value: t('eval.target', '{{fps}} fps target', { fps: results.targetFps }),
              fill: MISSES,
              position: 'top',
            }}
            data-testid="eval-target-line"
          />
          <ReferenceLine
            x={required}
            stroke={HOLDS}
            strokeDasharray="6 4"
            ifOverflow="extendDomain"
            label={{
              value: t('eval.headroom', '×{{h}} headroom', { h: results.headroom }),
              fill: HOLDS,
              position: 'insideBottomRight',
            }}
          />
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
            labelFormatter={() => ''}
          />
          <Scatter
            data={points}
            cursor="pointer"
            shape={(props: { cx?: number; cy?: number; payload?: (typeof points)[number] }) => {
              const p = props.payload!;
              return (
                <g
                  data-testid={`eval-point-${p.name}`}
                  style={{ cursor: 'pointer' }}
                  onClick={() => onActivateModel(p.modelPath)}
                >
                  <circle
                    cx={props.cx}
                    cy={props.cy}
                    r={p.active ? 9 : 7}
                    fill={p.holds ? HOLDS : MISSES}
                    stroke={p.active ? '#ffffff' : 'none'}
                    strokeWidth={2}
                  />
                  <text x={(props.cx ?? 0) + 11} y={(props.cy ?? 0) + 4} fill="#d8dee6" fontSize={12}>
                    {p.name}
                  </text>
                </g>
              );
            }}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

function ResultsTable({
  results,
  activeModelPath,
  onActivateModel,
}: {
  results: EvaluationResults;
  activeModelPath: string | null;
  onActivateModel: (modelPath: string) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const v = (x: number): string => (x < 0 ? '–' : f.num(x, 3));
  return (
    // The side column is narrow at some layouts: the table scrolls instead of being cut off.
    <div style={{ overflowX: 'auto' }}>
      <table className="data" data-testid="eval-results-table">
        <caption>{results.recommendation}</caption>
        <thead>
          <tr>
            <th>{t('eval.model', 'Model')}</th>
            <th className="num">mAP50</th>
            <th className="num">mAP50-95</th>
            <th className="num">AR100</th>
            <th className="num">fps</th>
            <th className="num">p50 ms</th>
            <th className="num">p99 ms</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {results.models.map((m) => (
            <tr key={m.modelPath} data-testid={`eval-row-${m.name}`}>
              <td>
                {m.name}
                {m.name === results.recommended ? ` ★ ${t('eval.recommended', 'recommended')}` : ''}
              </td>
              <td className="num">{v(m.stats.AP50)}</td>
              <td className="num">{v(m.stats.AP)}</td>
              <td className="num">{v(m.stats.AR100)}</td>
              <td className="num">{f.num(m.fps, 1)}</td>
              <td className="num">{f.num(m.latencyMs.p50, 1)}</td>
              <td className="num">{f.num(m.latencyMs.p99, 1)}</td>
              <td>
                <button
                  type="button"
                  disabled={m.modelPath === activeModelPath}
                  onClick={() => onActivateModel(m.modelPath)}
                >
                  {m.modelPath === activeModelPath ? t('eval.active', 'Active') : t('eval.use', 'Use')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PrCurves({ model }: { model: ModelEvaluation }) {
  const { t } = useTranslation();
  // One row per recall point with a column per class, the shape LineChart wants.
  const data = useMemo(
    () =>
      (model.prCurves[0]?.points ?? []).map((p, i) => ({
        recall: p.recall,
        ...Object.fromEntries(model.prCurves.map((c) => [c.className, c.points[i]!.precision])),
      })),
    [model],
  );
  return (
    <div data-testid="eval-pr-curves">
      <h4>
        {t('eval.prCurves', 'Precision–recall at IoU {{iou}}', {
          iou: model.prCurves[0]?.iouThreshold ?? 0.5,
        })}
      </h4>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 24, bottom: 16, left: 8 }}>
          <CartesianGrid stroke="#2c333d" />
          <XAxis type="number" dataKey="recall" domain={[0, 1]} tick={AXIS} stroke={AXIS.stroke} />
          <YAxis type="number" domain={[0, 1]} tick={AXIS} stroke={AXIS.stroke} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend />
          {model.prCurves.map((c, i) => (
            <Line
              key={c.className}
              type="stepAfter"
              dataKey={c.className}
              stroke={COLOURS[i % COLOURS.length]}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function ConfusionMatrixTable({ model }: { model: ModelEvaluation }) {
  const { t } = useTranslation();
  const { labels, counts, scoreThreshold, iouThreshold } = model.confusion;
  const max = Math.max(1, ...counts.flat());
  return (
    <table className="data compact" data-testid="eval-confusion">
      <caption>
        {t(
          'eval.confusion',
          'Confusion matrix at score ≥ {{s}}, IoU ≥ {{iou}} (rows: true, columns: predicted)',
          {
            s: scoreThreshold,
            iou: iouThreshold,
          },
        )}
      </caption>
      <thead>
        <tr>
          <th />
          {labels.map((l) => (
            <th key={l} className="num">
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {counts.map((row, i) => (
          <tr key={labels[i]}>
            <th>{labels[i]}</th>
            {row.map((n, j) => (
              <td
                key={labels[j]}
                className="num"
                style={{
                  background:
                    n === 0
                      ? undefined
                      : `rgba(${i === j ? '92,201,138' : '226,96,122'},${0.15 + (0.6 * n) / max})`,
                }}
              >
                {n}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function EvaluationPanel(props: EvaluationPanelProps) {
  const { t } = useTranslation();
  const { datasets, models, running, progress, results, error } = props;
  const [dataPath, setDataPath] = useState(datasets[0]?.path ?? '');
  const [chosen, setChosen] = useState<string[]>([]);
  const [detailPath, setDetailPath] = useState<string | null>(null);
  const detail = results?.models.find((m) => m.modelPath === detailPath) ?? results?.models[0] ?? null;
  const toggle = (path: string): void =>
    setChosen((c) => (c.includes(path) ? c.filter((p) => p !== path) : [...c, path]));
  const fraction = progress
    ? (progress.modelIndex + progress.framesDone / Math.max(1, progress.framesTotal)) / progress.modelCount
    : 0;

  return (
    <div className="panel evaluation" data-testid="evaluation-panel">
      <h3>{t('eval.title', 'Evaluation')}</h3>
      <div className="eval-setup">
        <div className="form-row">
          <label style={{ flex: 1 }}>
            {t('eval.dataset', 'Labelled set')}
            <input
              type="text"
              className="text"
              value={dataPath}
              onChange={(e) => setDataPath(e.target.value)}
              disabled={running}
              placeholder={t('eval.datasetHint')}
              title={t('eval.datasetHint')}
              list="eval-datasets"
              spellCheck={false}
              data-testid="eval-dataset"
            />
            <datalist id="eval-datasets">
              {datasets.map((d) => (
                <option key={d.path} value={d.path}>
                  {d.label}
                </option>
              ))}
            </datalist>
          </label>
        </div>
        <fieldset
          disabled={running}
          data-testid="eval-models"
          className="toggles"
          // A long library must not push the results out of sight.
          style={{ maxHeight: 200, overflowY: 'auto' }}
        >
          <legend>{t('eval.models', 'Models')}</legend>
          {models.length === 0 && <p className="muted">{t('eval.noModels')}</p>}
          {models.map((m) => (
            <label
              key={m.path}
              className={chosen.includes(m.path) ? 'toggle on' : 'toggle'}
              data-testid="eval-model"
              data-path={m.path}
            >
              <input type="checkbox" checked={chosen.includes(m.path)} onChange={() => toggle(m.path)} />{' '}
              {m.label}
            </label>
          ))}
        </fieldset>
        {running ? (
          <button type="button" onClick={props.onCancel} data-testid="eval-cancel">
            {t('eval.cancel', 'Cancel')}
          </button>
        ) : (
          <button
            type="button"
            disabled={dataPath.trim() === '' || chosen.length === 0}
            onClick={() => props.onStart({ dataPath: dataPath.trim(), modelPaths: chosen })}
            data-testid="eval-start"
          >
            {t('eval.start', 'Evaluate')}
          </button>
        )}
      </div>
      {running && progress && (
        <div data-testid="eval-progress">
          <progress max={1} value={fraction} />{' '}
          {t('eval.progress', '{{model}} ({{i}}/{{n}}): frame {{done}}/{{total}}', {
            model: progress.model,
            i: progress.modelIndex + 1,
            n: progress.modelCount,
            done: progress.framesDone,
            total: progress.framesTotal,
          })}
        </div>
      )}
      {error && (
        <div className="error" role="alert" data-testid="eval-error">
          {error}
        </div>
      )}
      {results && (
        <>
          <SpeedAccuracyChart
            results={results}
            activeModelPath={props.activeModelPath}
            onActivateModel={props.onActivateModel}
          />
          <ResultsTable
            results={results}
            activeModelPath={props.activeModelPath}
            onActivateModel={props.onActivateModel}
          />
          {detail && (
            <>
              <label>
                {t('eval.details', 'Details for')}{' '}
                <select
                  value={detail.modelPath}
                  onChange={(e) => setDetailPath(e.target.value)}
                  data-testid="eval-detail-model"
                >
                  {results.models.map((m) => (
                    <option key={m.modelPath} value={m.modelPath}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </label>
              <PrCurves model={detail} />
              <ConfusionMatrixTable model={detail} />
            </>
          )}
          {[...results.warnings, ...(detail?.warnings ?? [])].map((w) => (
            <div key={w} className="warning">
              {w}
            </div>
          ))}
        </>
      )}
    </div>
  );
}

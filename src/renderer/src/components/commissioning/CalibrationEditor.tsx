/**
 * Calibration on a frozen frame: tap to place points, enter each point's millimetres with steppers,
 * solve (the caller asks the station, which runs the normalised DLT), read each point's residual
 * and the RMS, and check the millimetre grid drawn over the picture before saving.
 */
import { useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PointXy } from '../../../../shared/detection';
import type {
  CalibrationPointView,
  CalibrationSolveView,
  GridLineView,
} from '../../../../shared/commissioning';
import { StepChoice, Stepper } from './Stepper';
import './commissioning.css';

const MM_STEPS = [0.1, 1, 10, 100] as const;
const MAX_MM = 100_000;

/** Client (CSS px) position on the frame → image pixels. */
export function toImagePx(
  client: { x: number; y: number },
  rect: { left: number; top: number; width: number; height: number },
  image: { widthPx: number; heightPx: number },
): PointXy {
  const x = ((client.x - rect.left) / rect.width) * image.widthPx;
  const y = ((client.y - rect.top) / rect.height) * image.heightPx;
  return [
    Math.round(Math.min(image.widthPx, Math.max(0, x)) * 10) / 10,
    Math.round(Math.min(image.heightPx, Math.max(0, y)) * 10) / 10,
  ];
}

export function CalibrationEditor(props: {
  /** The frozen frame: an image URL and the size the points refer to; null before freezing. */
  frame: { src: string; widthPx: number; heightPx: number } | null;
  points: readonly CalibrationPointView[];
  result: CalibrationSolveView | null;
  grid: readonly GridLineView[] | null;
  gridSpacingMm: number;
  editable: boolean;
  busy?: boolean;
  onFreeze: () => void;
  onPointsChange: (points: CalibrationPointView[]) => void;
  onSolve: () => void;
  onGridSpacingChange: (mm: number) => void;
  /** Saves the solved calibration (into the recipe); enabled only with a solved result. */
  onSave: () => void;
}) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState<number | null>(null);
  const [mode, setMode] = useState<'add' | 'move'>('add');
  const [step, setStep] = useState<number>(1);
  const [showGrid, setShowGrid] = useState(true);
  const { frame, points, result } = props;
  const residual = (i: number) => (result?.ok ? result.residuals[i]?.errorMm : undefined);

  const onFramePointer = (e: PointerEvent<SVGSVGElement>) => {
    if (!frame || !props.editable) return;
    const px = toImagePx({ x: e.clientX, y: e.clientY }, e.currentTarget.getBoundingClientRect(), frame);
    if (mode === 'move' && selected !== null) {
      props.onPointsChange(points.map((p, i) => (i === selected ? { ...p, pixel: px } : p)));
      return;
    }
    // A new point starts at the mm the current solution predicts (often just a small correction).
    let mm: PointXy = [0, 0];
    if (result?.ok) {
      const h = result.homography;
      const w = h[6]! * px[0] + h[7]! * px[1] + h[8]!;
      const x = (h[0]! * px[0] + h[1]! * px[1] + h[2]!) / w;
      const y = (h[3]! * px[0] + h[4]! * px[1] + h[5]!) / w;
      if (Number.isFinite(x) && Number.isFinite(y)) mm = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    }
    props.onPointsChange([...points, { pixel: px, mm }]);
    setSelected(points.length);
  };

  const setMm = (axis: 0 | 1, v: number | null) => {
    if (selected === null || v === null) return;
    props.onPointsChange(
      points.map((p, i) =>
        i === selected ? { ...p, mm: (axis === 0 ? [v, p.mm[1]] : [p.mm[0], v]) as PointXy } : p,
      ),
    );
  };

  const sel = selected !== null ? points[selected] : undefined;
  const r = frame ? Math.max(frame.widthPx, frame.heightPx) / 120 : 4;

  return (
    <div className="cm-panel" data-testid="calibration-editor">
      <div className="cm-row">
        <button type="button" data-testid="calib-freeze" onClick={props.onFreeze} disabled={props.busy}>
          {frame ? t('commission.refreeze', 'New frozen frame') : t('commission.freeze', 'Freeze frame')}
        </button>
        <span className="segmented" role="group" aria-label={t('commission.tapMode', 'Tapping the picture')}>
          <button
            type="button"
            className={mode === 'add' ? 'active' : ''}
            aria-pressed={mode === 'add'}
            data-testid="calib-mode-add"
            onClick={() => setMode('add')}
          >
            {t('commission.addPoint', 'Tap adds a point')}
          </button>
          <button
            type="button"
            className={mode === 'move' ? 'active' : ''}
            aria-pressed={mode === 'move'}
            data-testid="calib-mode-move"
            disabled={selected === null}
            onClick={() => setMode('move')}
          >
            {t('commission.movePoint', 'Tap moves the selected point')}
          </button>
        </span>
        <button
          type="button"
          className={`cm-toggle${showGrid ? ' on' : ''}`}
          aria-pressed={showGrid}
          data-testid="calib-grid-toggle"
          onClick={() => setShowGrid(!showGrid)}
        >
          {t('commission.grid', 'mm grid')}
        </button>
        <Stepper
          testId="calib-grid-spacing"
          label={t('commission.gridSpacing', 'Grid spacing')}
          value={props.gridSpacingMm}
          step={props.gridSpacingMm >= 50 ? 10 : props.gridSpacingMm >= 10 ? 5 : 1}
          min={1}
          max={1000}
          decimals={0}
          unit="mm"
          onChange={(v) => v !== null && props.onGridSpacingChange(v)}
        />
      </div>

      <div
        className="cm-frame"
        data-testid="calib-frame"
        // Width follows the height limit, so the picture (and the tap → pixel mapping) is never stretched.
        style={{
          aspectRatio: frame ? `${frame.widthPx} / ${frame.heightPx}` : '16 / 9',
          width: frame ? `min(100%, calc(52vh * ${frame.widthPx} / ${frame.heightPx}))` : '100%',
        }}
      >
        {frame ? (
          <>
            <img src={frame.src} alt={t('commission.frozenFrame', 'Frozen frame')} draggable={false} />
            <svg
              viewBox={`0 0 ${frame.widthPx} ${frame.heightPx}`}
              preserveAspectRatio="none"
              onPointerDown={onFramePointer}
              data-testid="calib-overlay"
            >
              {showGrid &&
                props.grid?.map((g) => (
                  <line
                    key={`${g.axis}${g.valueMm}`}
                    x1={g.p1Px[0]}
                    y1={g.p1Px[1]}
                    x2={g.p2Px[0]}
                    y2={g.p2Px[1]}
                    stroke={g.valueMm === 0 ? '#f5a524' : 'rgba(76,201,240,0.55)'}
                    strokeWidth={r / 4}
                  />
                ))}
              {points.map((p, i) => (
                <g
                  key={i}
                  onPointerDown={(e) => {
                    // Tapping a point selects it instead of adding another on top.
                    e.stopPropagation();
                    setSelected(i);
                  }}
                >
                  <circle
                    cx={p.pixel[0]}
                    cy={p.pixel[1]}
                    // A generous invisible target for fingers, a small visible mark.
                    r={r * 2.5}
                    fill="transparent"
                  />
                  <circle
                    cx={p.pixel[0]}
                    cy={p.pixel[1]}
                    r={r}
                    fill={i === selected ? '#f5a524' : '#4cc9f0'}
                    stroke="#000"
                    strokeWidth={r / 4}
                  />
                  <text
                    x={p.pixel[0] + r * 1.4}
                    y={p.pixel[1] - r * 1.4}
                    fill="#fff"
                    fontSize={r * 3}
                    stroke="#000"
                    strokeWidth={r / 5}
                  >
                    {i + 1}
                  </text>
                </g>
              ))}
            </svg>
          </>
        ) : (
          <p className="muted" style={{ padding: 16 }}>
            {t('commission.freezeHint', 'Freeze a frame showing the target, then tap its reference points.')}
          </p>
        )}
      </div>

      {sel && selected !== null && (
        <div className="cm-row" data-testid="calib-selected">
          <strong>
            {t('commission.point', 'Point')} {selected + 1}
          </strong>
          <span className="muted small">
            ({sel.pixel[0].toFixed(1)}, {sel.pixel[1].toFixed(1)}) px
          </span>
          X
          <Stepper
            testId="calib-mm-x"
            label={`${t('commission.point', 'Point')} ${selected + 1} X`}
            value={sel.mm[0]}
            step={step}
            min={-MAX_MM}
            max={MAX_MM}
            decimals={1}
            unit="mm"
            disabled={!props.editable}
            onChange={(v) => setMm(0, v)}
          />
          Y
          <Stepper
            testId="calib-mm-y"
            label={`${t('commission.point', 'Point')} ${selected + 1} Y`}
            value={sel.mm[1]}
            step={step}
            min={-MAX_MM}
            max={MAX_MM}
            decimals={1}
            unit="mm"
            disabled={!props.editable}
            onChange={(v) => setMm(1, v)}
          />
          <StepChoice testId="calib-step" steps={MM_STEPS} value={step} onChange={setStep} />
          <button
            type="button"
            className="danger"
            data-testid="calib-remove"
            disabled={!props.editable}
            onClick={() => {
              props.onPointsChange(points.filter((_, i) => i !== selected));
              setSelected(null);
              setMode('add');
            }}
          >
            {t('commission.removePoint', 'Remove point')}
          </button>
        </div>
      )}

      <div className="cm-table-wrap" style={{ maxHeight: '22vh' }}>
        <table className="cm-table" data-testid="calib-residuals">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('commission.pixel', 'Pixel')}</th>
              <th>{t('commission.mm', 'mm')}</th>
              <th>{t('commission.residual', 'Residual')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => {
              const e = residual(i);
              return (
                <tr
                  key={i}
                  className={i === selected ? 'selected' : ''}
                  onClick={() => setSelected(i)}
                  data-testid={`calib-point-${i}`}
                  style={{ height: 44 }}
                >
                  <td>{i + 1}</td>
                  <td>
                    {p.pixel[0].toFixed(1)}, {p.pixel[1].toFixed(1)}
                  </td>
                  <td>
                    {p.mm[0].toFixed(1)}, {p.mm[1].toFixed(1)}
                  </td>
                  <td data-testid={`calib-residual-${i}`}>{e === undefined ? '—' : `${e.toFixed(2)} mm`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <div className="cm-row">
        <button
          type="button"
          className="primary"
          data-testid="calib-solve"
          disabled={!props.editable || props.busy || points.length < 4}
          onClick={props.onSolve}
        >
          {t('commission.solve', 'Solve')} ({points.length}/4+)
        </button>
        {result?.ok && (
          <span className="cm-ok" data-testid="calib-rms">
            RMS {result.rmsMm.toFixed(2)} mm · max {result.maxErrorMm.toFixed(2)} mm
          </span>
        )}
        {result && !result.ok && (
          <span className="cm-error" role="alert" data-testid="calib-refusal" data-reason={result.reason}>
            {result.message}
          </span>
        )}
        <button
          type="button"
          data-testid="calib-save"
          disabled={!props.editable || props.busy || !result?.ok}
          onClick={props.onSave}
        >
          {t('commission.saveCalibration', 'Save calibration')}
        </button>
      </div>
    </div>
  );
}

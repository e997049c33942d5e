/**
 * Per-class limits, one row per model class: on/off, own threshold, area range (px or mm²),
 * aspect range, sent to the PLC. Every change goes to `onChange` with the whole new limits object
 * (the caller sends it through the API, which checks the role and validates it).
 */
import { useTranslation } from 'react-i18next';
import type { ClassLimitsView, ClassLimitView } from '../../../../shared/commissioning';
import { Stepper } from './Stepper';
import './commissioning.css';

export const DEFAULT_LIMIT: ClassLimitView = {
  enabled: true,
  confThreshold: null,
  areaUnit: 'px',
  minArea: null,
  maxArea: null,
  minAspect: null,
  maxAspect: null,
  sendToPlc: true,
};

/** The limit shown for a class: its own entry, or the defaults with `othersEnabled`. */
export function limitOf(limits: ClassLimitsView, name: string): ClassLimitView {
  return limits.classes[name] ?? { ...DEFAULT_LIMIT, enabled: limits.othersEnabled };
}

export function withLimit(
  limits: ClassLimitsView,
  name: string,
  change: Partial<ClassLimitView>,
): ClassLimitsView {
  return { ...limits, classes: { ...limits.classes, [name]: { ...limitOf(limits, name), ...change } } };
}

function Toggle(props: {
  testId: string;
  on: boolean;
  label: string;
  disabled?: boolean;
  onChange: (on: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className={`cm-toggle${props.on ? ' on' : ''}`}
      aria-pressed={props.on}
      aria-label={props.label}
      data-testid={props.testId}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.on)}
    >
      {props.on ? t('commission.on', 'on') : t('commission.off', 'off')}
    </button>
  );
}

export function ClassLimitsTable(props: {
  classNames: readonly string[];
  limits: ClassLimitsView;
  /** The threshold a class without its own uses (shown as "global 0.25"). */
  globalConfThreshold: number;
  /** mm² areas are offered only with a calibration. */
  hasCalibration: boolean;
  /** False for operators: the table is shown, nothing can be changed. */
  editable: boolean;
  /** Problems reported by the station for the last change (e.g. a refused value). */
  error?: string | null;
  onChange: (limits: ClassLimitsView) => void;
}) {
  const { t } = useTranslation();
  const { limits, editable } = props;
  const set = (name: string, change: Partial<ClassLimitView>) =>
    props.onChange(withLimit(limits, name, change));
  const areaStep = (unit: 'px' | 'mm2') => (unit === 'px' ? 100 : 10);
  return (
    <div className="cm-panel" data-testid="class-limits-table">
      <div className="cm-row">
        <strong>{t('commission.classLimits', 'Per-class limits')}</strong>
        <span className="muted small">{t('commission.othersLabel', 'Classes not listed:')}</span>
        <Toggle
          testId="class-limits-others"
          on={limits.othersEnabled}
          label={t('commission.othersLabel', 'Classes not listed:')}
          disabled={!editable}
          onChange={(on) => props.onChange({ ...limits, othersEnabled: on })}
        />
      </div>
      {!props.hasCalibration && (
        <div className="muted small">
          {t('commission.needsCalibration', 'Areas in mm² need a calibration.')}
        </div>
      )}
      {props.error && (
        <div className="cm-error" role="alert" data-testid="class-limits-error">
          {props.error}
        </div>
      )}
      <div className="cm-table-wrap">
        <table className="cm-table">
          <thead>
            <tr>
              <th>{t('commission.class', 'Class')}</th>
              <th>{t('commission.enabled', 'On')}</th>
              <th>{t('commission.threshold', 'Threshold')}</th>
              <th>{t('commission.area', 'Area min / max')}</th>
              <th>{t('commission.aspect', 'Width/height min / max')}</th>
              <th>{t('commission.toPlc', 'To PLC')}</th>
            </tr>
          </thead>
          <tbody>
            {props.classNames.map((name, i) => {
              const l = limitOf(limits, name);
              const unit = l.areaUnit === 'px' ? 'px' : 'mm²';
              const id = `class-limit-${i}`;
              return (
                <tr key={`${i}-${name}`} className={l.enabled ? '' : 'dim'} data-testid={id}>
                  <td>{name}</td>
                  <td>
                    <Toggle
                      testId={`${id}-enabled`}
                      on={l.enabled}
                      label={`${name}: ${t('commission.enabled', 'On')}`}
                      disabled={!editable}
                      onChange={(on) => set(name, { enabled: on })}
                    />
                  </td>
                  <td>
                    <Stepper
                      testId={`${id}-conf`}
                      label={`${name}: ${t('commission.threshold', 'Threshold')}`}
                      value={l.confThreshold}
                      nullable
                      startAt={props.globalConfThreshold}
                      step={0.05}
                      min={0}
                      max={1}
                      decimals={2}
                      disabled={!editable || !l.enabled}
                      onChange={(v) => set(name, { confThreshold: v })}
                    />
                    {l.confThreshold === null && (
                      <span className="muted small">
                        {' '}
                        {t('commission.global', 'global')} {props.globalConfThreshold.toFixed(2)}
                      </span>
                    )}
                  </td>
                  <td>
                    <div className="cm-row">
                      <Stepper
                        testId={`${id}-min-area`}
                        label={`${name}: min area`}
                        value={l.minArea}
                        nullable
                        step={areaStep(l.areaUnit)}
                        min={0}
                        max={l.maxArea ?? 1e9}
                        decimals={0}
                        unit={unit}
                        disabled={!editable || !l.enabled}
                        onChange={(v) => set(name, { minArea: v })}
                      />
                      <Stepper
                        testId={`${id}-max-area`}
                        label={`${name}: max area`}
                        value={l.maxArea}
                        nullable
                        startAt={Math.max(l.minArea ?? 0, areaStep(l.areaUnit) * 10)}
                        step={areaStep(l.areaUnit)}
                        min={l.minArea ?? 0}
                        max={1e9}
                        decimals={0}
                        unit={unit}
                        disabled={!editable || !l.enabled}
                        onChange={(v) => set(name, { maxArea: v })}
                      />
                      <button
                        type="button"
                        data-testid={`${id}-unit`}
                        disabled={!editable || !l.enabled || (!props.hasCalibration && l.areaUnit === 'px')}
                        // Switching units clears the numbers: 1000 px² is not 1000 mm².
                        onClick={() =>
                          set(name, {
                            areaUnit: l.areaUnit === 'px' ? 'mm2' : 'px',
                            minArea: null,
                            maxArea: null,
                          })
                        }
                      >
                        {l.areaUnit === 'px' ? 'px → mm²' : 'mm² → px'}
                      </button>
                    </div>
                  </td>
                  <td>
                    <div className="cm-row">
                      <Stepper
                        testId={`${id}-min-aspect`}
                        label={`${name}: min width/height`}
                        value={l.minAspect}
                        nullable
                        startAt={0.5}
                        step={0.1}
                        min={0}
                        max={l.maxAspect ?? 100}
                        decimals={1}
                        disabled={!editable || !l.enabled}
                        onChange={(v) => set(name, { minAspect: v })}
                      />
                      <Stepper
                        testId={`${id}-max-aspect`}
                        label={`${name}: max width/height`}
                        value={l.maxAspect}
                        nullable
                        startAt={2}
                        step={0.1}
                        min={l.minAspect ?? 0}
                        max={100}
                        decimals={1}
                        disabled={!editable || !l.enabled}
                        onChange={(v) => set(name, { maxAspect: v })}
                      />
                    </div>
                  </td>
                  <td>
                    <Toggle
                      testId={`${id}-plc`}
                      on={l.sendToPlc}
                      label={`${name}: ${t('commission.toPlc', 'To PLC')}`}
                      disabled={!editable || !l.enabled}
                      onChange={(on) => set(name, { sendToPlc: on })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {props.classNames.length === 0 && (
          <p className="muted">{t('commission.noClasses', 'The model has no class names.')}</p>
        )}
      </div>
    </div>
  );
}

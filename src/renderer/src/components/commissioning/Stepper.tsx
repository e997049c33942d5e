/** A number without a keyboard: big − / + buttons, an optional step choice and an optional "off". */
import { useTranslation } from 'react-i18next';
import './commissioning.css';

export function clampRound(v: number, min: number, max: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.min(max, Math.max(min, Math.round(v * f) / f));
}

export function Stepper(props: {
  testId: string;
  /** Null shows "off" (only when `nullable`). */
  value: number | null;
  step: number;
  min: number;
  max: number;
  decimals: number;
  unit?: string;
  nullable?: boolean;
  /** Value the first + or − gives when the value is null. */
  startAt?: number;
  disabled?: boolean;
  label: string;
  onChange: (v: number | null) => void;
}) {
  const { t } = useTranslation();
  const { value, step, min, max, decimals } = props;
  const bump = (dir: 1 | -1) => {
    if (value === null) props.onChange(clampRound(props.startAt ?? min, min, max, decimals));
    else props.onChange(clampRound(value + dir * step, min, max, decimals));
  };
  return (
    <span className="cm-stepper" data-testid={props.testId} role="group" aria-label={props.label}>
      <button
        type="button"
        aria-label={`${props.label} −${step}`}
        data-testid={`${props.testId}-dec`}
        disabled={props.disabled || (value !== null && value <= min)}
        onClick={() => bump(-1)}
      >
        −
      </button>
      <span
        className={`cm-stepper-value${value === null ? ' cm-stepper-off' : ''}`}
        data-testid={`${props.testId}-value`}
      >
        {value === null
          ? t('commission.off', 'off')
          : `${value.toFixed(decimals)}${props.unit ? ` ${props.unit}` : ''}`}
      </span>
      <button
        type="button"
        aria-label={`${props.label} +${step}`}
        data-testid={`${props.testId}-inc`}
        disabled={props.disabled || (value !== null && value >= max)}
        onClick={() => bump(1)}
      >
        +
      </button>
      {props.nullable && value !== null && (
        <button
          type="button"
          data-testid={`${props.testId}-clear`}
          aria-label={`${props.label}: ${t('commission.off', 'off')}`}
          disabled={props.disabled}
          onClick={() => props.onChange(null)}
        >
          ✕
        </button>
      )}
    </span>
  );
}

/** Choice of step size for a Stepper (e.g. 0.1 / 1 / 10 mm). */
export function StepChoice(props: {
  testId: string;
  steps: readonly number[];
  value: number;
  onChange: (step: number) => void;
}) {
  const { t } = useTranslation();
  return (
    <span
      className="segmented"
      data-testid={props.testId}
      role="group"
      aria-label={t('commission.step', 'Step')}
    >
      {props.steps.map((s) => (
        <button
          key={s}
          type="button"
          className={s === props.value ? 'active' : ''}
          aria-pressed={s === props.value}
          onClick={() => props.onChange(s)}
        >
          ±{s}
        </button>
      ))}
    </span>
  );
}

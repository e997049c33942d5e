/**
 * The audit trail: filter by user, action and time (tap choices, no typing), read who changed
 * what from which value to which, check the hash chain, export the filtered entries as CSV.
 */
import { useTranslation } from 'react-i18next';
import type { AuditEntryView, AuditFilterView, AuditVerifyView } from '../../../../shared/commissioning';
import { useFormat } from '../../format';
import './commissioning.css';

export const TIME_RANGES = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, all: null } as const;
export type TimeRange = keyof typeof TIME_RANGES;

/** The query for a time range choice, relative to `nowMs`. */
export function filterFor(
  range: TimeRange,
  nowMs: number,
  user: string | null,
  method: string | null,
): AuditFilterView {
  const span = TIME_RANGES[range];
  return {
    ...(user ? { user } : {}),
    ...(method ? { method } : {}),
    ...(span !== null ? { fromMs: nowMs - span } : {}),
  };
}

const compact = (v: unknown): string => {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
};

function Choice(props: {
  testId: string;
  label: string;
  options: readonly { value: string | null; label: string }[];
  value: string | null;
  onChange: (v: string | null) => void;
}) {
  return (
    <div className="cm-row" role="group" aria-label={props.label} data-testid={props.testId}>
      <span className="muted small">{props.label}</span>
      {props.options.map((o) => (
        <button
          key={o.value ?? '*'}
          type="button"
          className={o.value === props.value ? 'primary' : ''}
          aria-pressed={o.value === props.value}
          onClick={() => props.onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function AuditViewer(props: {
  entries: readonly AuditEntryView[];
  /** Choices for the filters (e.g. the station's users and the methods seen). */
  users: readonly string[];
  methods: readonly string[];
  user: string | null;
  method: string | null;
  range: TimeRange;
  verify: AuditVerifyView | null;
  busy?: boolean;
  onUserChange: (u: string | null) => void;
  onMethodChange: (m: string | null) => void;
  onRangeChange: (r: TimeRange) => void;
  onVerify: () => void;
  onExportCsv: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const all = t('commission.all', 'all');
  return (
    <div className="cm-panel" data-testid="audit-viewer">
      <Choice
        testId="audit-filter-user"
        label={t('commission.user', 'User')}
        options={[{ value: null, label: all }, ...props.users.map((u) => ({ value: u, label: u }))]}
        value={props.user}
        onChange={props.onUserChange}
      />
      <Choice
        testId="audit-filter-method"
        label={t('commission.action', 'Action')}
        options={[{ value: null, label: all }, ...props.methods.map((m) => ({ value: m, label: m }))]}
        value={props.method}
        onChange={props.onMethodChange}
      />
      <Choice
        testId="audit-filter-range"
        label={t('commission.period', 'Period')}
        options={[
          { value: 'hour', label: t('commission.lastHour', 'last hour') },
          { value: 'day', label: t('commission.lastDay', 'last 24 h') },
          { value: 'week', label: t('commission.lastWeek', 'last 7 days') },
          { value: 'all', label: all },
        ]}
        value={props.range}
        onChange={(v) => props.onRangeChange((v ?? 'all') as TimeRange)}
      />
      <div className="cm-row">
        <button type="button" data-testid="audit-verify" disabled={props.busy} onClick={props.onVerify}>
          {t('commission.verifyChain', 'Check the log is intact')}
        </button>
        {props.verify?.ok && (
          <span className="cm-ok" data-testid="audit-verify-result">
            {t('commission.chainOk', 'Intact: {{n}} entries', { n: props.verify.entries })}
          </span>
        )}
        {props.verify && !props.verify.ok && (
          <span
            className="cm-error"
            role="alert"
            data-testid="audit-verify-result"
            data-kind={props.verify.kind}
          >
            {props.verify.message}
          </span>
        )}
        <button
          type="button"
          data-testid="audit-export"
          disabled={props.busy || props.entries.length === 0}
          onClick={props.onExportCsv}
        >
          {t('commission.exportCsv', 'Export CSV')}
        </button>
      </div>
      <div className="cm-table-wrap" style={{ maxHeight: '50vh' }}>
        <table className="cm-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('commission.when', 'When')}</th>
              <th>{t('commission.user', 'User')}</th>
              <th>{t('commission.client', 'From')}</th>
              <th>{t('commission.action', 'Action')}</th>
              <th>{t('commission.before', 'Before')}</th>
              <th>{t('commission.after', 'After')}</th>
            </tr>
          </thead>
          <tbody>
            {[...props.entries].reverse().map((e) => (
              <tr key={e.seq} data-testid={`audit-entry-${e.seq}`}>
                <td>{e.seq}</td>
                <td>{f.dateTime(e.atMs)}</td>
                <td>
                  {e.user} {e.role && <span className="muted small">({e.role})</span>}
                </td>
                <td>{e.client}</td>
                <td>
                  {e.method}
                  {e.target && <span className="muted small"> {e.target}</span>}
                </td>
                <td className="cm-json">{compact(e.before)}</td>
                <td className="cm-json">{compact(e.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.entries.length === 0 && (
          <p className="muted">{t('commission.noEntries', 'No entries match.')}</p>
        )}
      </div>
    </div>
  );
}

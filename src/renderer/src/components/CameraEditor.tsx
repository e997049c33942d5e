/**
 * Adding, editing and removing the station's additional cameras (administrator). Changes collect in
 * a draft list, shown as pending, and reach the station only on Apply (setCameras replaces the whole
 * list). A refusal is shown beside the form in the station's words, the draft stays as it was, and
 * the camera the refusal names is opened in the form so it can be corrected.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraSetting, LibraryEntry } from '../../../shared/api';
import {
  CLASSIC,
  emptyForm,
  formFromSetting,
  MAX_EXTRA_CAMERAS,
  refusedIndex,
  SAME_AS_MAIN,
  sameSettings,
  settingFromForm,
  validateForm,
  type CameraForm,
  type FormField,
  type FormProblem,
} from '../camera-form';
import { decodeStationError } from '../../../shared/station-error';
import { translateError } from '../error-text';
import { useStation } from '../station-state';
import { roleAtLeast, useSession } from './commissioning/session';

/** The form open on a draft entry (index) or on a new camera (null). */
interface Editing {
  index: number | null;
  form: CameraForm;
  problems: FormProblem[];
}

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

function modelLabel(model: unknown): string {
  if (typeof model !== 'string' || model === '' || model === CLASSIC) return CLASSIC;
  return fileName(model);
}

function rowState(s: CameraSetting, applied: readonly CameraSetting[]): 'new' | 'changed' | null {
  const a = applied.find((x) => x.name === s.name);
  if (!a) return 'new';
  return sameSettings([a], [s]) ? null : 'changed';
}

export function CameraEditor() {
  const { t } = useTranslation();
  const { client, view } = useStation();
  const { role } = useSession();
  const admin = roleAtLeast(role, 'administrator');
  const connected = view.connection.kind === 'open';

  const [applied, setApplied] = useState<CameraSetting[] | null>(null);
  const [draft, setDraft] = useState<CameraSetting[]>([]);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [models, setModels] = useState<LibraryEntry[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const active = view.model?.active ?? null;
  // The classic detector has no file; every model with a file is a library id by its path.
  const mainModelId = active ? (active.path ?? CLASSIC) : null;

  const load = useCallback(() => {
    client.getCameraSettings().then(
      (list) => {
        setApplied(list);
        setDraft(list);
      },
      (e: unknown) => setError(translateError(e, t)),
    );
  }, [client, t]);

  useEffect(() => {
    if (!admin || !connected) return;
    load();
    client.listModels().then(
      // Models that give boxes (instance masks and oriented boxes too); not yet described: offered.
      (l) =>
        setModels(
          l.filter(
            (e) =>
              e.error === null &&
              (e.pending === true || e.task === 'detect' || e.task === 'segment' || e.task === 'obb'),
          ),
        ),
      () => undefined,
    );
  }, [admin, connected, client, load]);

  const pending = applied !== null && !sameSettings(draft, applied);
  const removed = (applied ?? []).filter((a) => !draft.some((d) => d.name === a.name)).map((a) => a.name);

  const open = (index: number | null) => {
    setEditing({
      index,
      form: index === null ? emptyForm(mainModelId) : formFromSetting(draft[index]!),
      problems: [],
    });
  };

  const keep = () => {
    if (!editing) return;
    const base = editing.index === null ? null : draft[editing.index]!;
    const others = draft.filter((_, i) => i !== editing.index).map((c) => c.name);
    const hasLines = Array.isArray(base?.['lines']) && (base['lines'] as unknown[]).length > 0;
    const problems = validateForm(editing.form, others, hasLines);
    if (problems.length > 0) return setEditing({ ...editing, problems });
    const entry = settingFromForm(editing.form, base, mainModelId);
    setDraft((d) =>
      editing.index === null ? [...d, entry] : d.map((x, i) => (i === editing.index ? entry : x)),
    );
    setEditing(null);
    setError(null);
  };

  const apply = () => {
    setBusy(true);
    setError(null);
    client.setCameras({ cameras: draft }).then(
      () => {
        setBusy(false);
        // What the station saved (defaults filled in) becomes both the applied list and the draft.
        load();
      },
      (e: unknown) => {
        setBusy(false);
        setError(translateError(e, t));
        // Open the camera the station names, with the user's input as it was.
        const i = refusedIndex(decodeStationError(e).message, draft.length);
        if (i !== null) setEditing({ index: i, form: formFromSetting(draft[i]!), problems: [] });
      },
    );
  };

  const modelOptions = useMemo(() => {
    const opts: { value: string; label: string }[] = [];
    if (mainModelId)
      opts.push({
        value: SAME_AS_MAIN,
        label: t('cameraEditor.sameAsMain', { model: modelLabel(mainModelId) }),
      });
    opts.push({ value: CLASSIC, label: t('cameraEditor.classic') });
    for (const m of models) if (m.id !== CLASSIC) opts.push({ value: m.id, label: m.name });
    // A saved model the library does not list (a path written by hand): still offered as it is.
    const cur = editing?.form.model;
    if (cur && !opts.some((o) => o.value === cur)) opts.push({ value: cur, label: fileName(cur) });
    return opts;
  }, [mainModelId, models, editing?.form.model, t]);

  const disabledReason = !connected ? t('cameraEditor.offline') : !admin ? t('cameraEditor.adminOnly') : null;

  return (
    <section
      data-testid="camera-editor"
      data-state={pending ? 'pending' : 'applied'}
      style={{ marginTop: 12 }}
    >
      <div className="row-between">
        <h3>{t('cameraEditor.title')}</h3>
        {admin && applied !== null && (
          <span className={`pill ${pending ? 'warn' : 'ok'}`} data-testid="camera-editor-state">
            {pending ? t('cameraEditor.pending') : t('cameraEditor.applied')}
          </span>
        )}
      </div>
      {disabledReason && (
        <p className="muted small" data-testid="camera-editor-locked">
          {disabledReason}
        </p>
      )}
      {admin && (
        <ul
          data-testid="camera-editor-list"
          style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 6 }}
        >
          {draft.length === 0 && <li className="muted">{t('cameraEditor.none')}</li>}
          {draft.map((c, i) => {
            const state = applied ? rowState(c, applied) : null;
            return (
              <li
                key={`${i}:${c.name}`}
                data-testid={`camera-row-${c.name}`}
                data-row-state={state ?? 'applied'}
                style={{ border: '1px solid var(--line)', borderRadius: 6, padding: '6px 8px' }}
              >
                <div className="row-between" style={{ gap: 8 }}>
                  <span>
                    <strong>{c.name}</strong>{' '}
                    {state && <span className="pill warn">{t(`cameraEditor.row.${state}`)}</span>}
                  </span>
                  <div className="btn-group">
                    <button
                      data-testid={`camera-edit-${c.name}`}
                      disabled={busy || editing !== null}
                      onClick={() => open(i)}
                    >
                      {t('cameraEditor.edit')}
                    </button>
                    <button
                      data-testid={`camera-remove-${c.name}`}
                      disabled={busy || editing !== null}
                      onClick={() => setDraft((d) => d.filter((_, k) => k !== i))}
                    >
                      {t('cameraEditor.remove')}
                    </button>
                  </div>
                </div>
                <div className="mono small" style={{ overflowWrap: 'anywhere' }}>
                  {c.source}
                </div>
                <div className="small muted">
                  {t('cameraEditor.model')}: {modelLabel(c.model)} · {t('cameraEditor.conf')}:{' '}
                  <span data-testid={`camera-row-${c.name}-conf`}>
                    {typeof c.conf === 'number' ? c.conf : t('cameraEditor.asMain')}
                  </span>{' '}
                  · {t('cameraEditor.plc')}:{' '}
                  <span className="mono">{typeof c.plc === 'string' ? c.plc : t('cameraEditor.noPlc')}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {removed.length > 0 && (
        <p className="small muted" data-testid="camera-editor-removed">
          {t('cameraEditor.toRemove', { names: removed.join(', ') })}
        </p>
      )}
      <div className="form-row" style={{ marginTop: 8 }}>
        <button
          data-testid="camera-add"
          disabled={!admin || busy || editing !== null || draft.length >= MAX_EXTRA_CAMERAS}
          title={disabledReason ?? undefined}
          onClick={() => open(null)}
        >
          {t('cameraEditor.add')}
        </button>
        <button
          className="primary"
          data-testid="camera-apply"
          disabled={!admin || busy || editing !== null || !pending}
          title={editing !== null ? t('cameraEditor.finishForm') : (disabledReason ?? undefined)}
          onClick={apply}
        >
          {busy ? t('common.applying') : t('common.apply')}
        </button>
        <button
          data-testid="camera-discard"
          disabled={!admin || busy || !pending}
          onClick={() => {
            setDraft(applied ?? []);
            setEditing(null);
            setError(null);
          }}
        >
          {t('cameraEditor.discard')}
        </button>
      </div>
      {error && (
        <div className="error-box" role="alert" data-testid="camera-editor-error">
          {error}
        </div>
      )}
      {editing && (
        <CameraFormView
          editing={editing}
          modelOptions={modelOptions}
          onChange={(form) => setEditing({ ...editing, form })}
          onKeep={keep}
          onCancel={() => setEditing(null)}
        />
      )}
    </section>
  );
}

function CameraFormView({
  editing,
  modelOptions,
  onChange,
  onKeep,
  onCancel,
}: {
  editing: Editing;
  modelOptions: { value: string; label: string }[];
  onChange: (form: CameraForm) => void;
  onKeep: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { form, problems } = editing;
  const problem = (field: FormField) => {
    const p = problems.find((x) => x.field === field);
    return p ? (
      <span className="error-text small" data-testid={`camera-form-problem-${field}`}>
        {t(`cameraEditor.problem.${p.key}`, p.params)}
      </span>
    ) : null;
  };
  const text = (
    field: Exclude<FormField, 'track'>,
    opts: { placeholder?: string; narrow?: boolean } = {},
  ) => (
    <label style={opts.narrow ? undefined : { flex: '1 1 220px' }}>
      {t(`cameraEditor.${field}`)}
      <input
        className={`text${opts.narrow ? ' narrow' : ''}`}
        data-testid={`camera-form-${field}`}
        value={form[field]}
        placeholder={opts.placeholder}
        aria-invalid={problems.some((p) => p.field === field)}
        onChange={(e) => onChange({ ...form, [field]: e.target.value })}
      />
      {problem(field)}
    </label>
  );
  return (
    <div
      className="panel"
      data-testid="camera-form"
      data-index={editing.index ?? 'new'}
      style={{ marginTop: 8, display: 'grid', gap: 8 }}
    >
      <strong>
        {editing.index === null
          ? t('cameraEditor.newCamera')
          : t('cameraEditor.editing', { name: form.name })}
      </strong>
      <div className="form-row">
        {text('name', { placeholder: 'infeed' })}
        {text('source', { placeholder: 'rtsp://10.0.0.21/stream1' })}
      </div>
      <div className="form-row">
        <label>
          {t('cameraEditor.model')}
          <select
            data-testid="camera-form-model"
            value={form.model}
            onChange={(e) => onChange({ ...form, model: e.target.value })}
          >
            {modelOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {problem('model')}
        </label>
        {text('conf', { placeholder: t('cameraEditor.asMain'), narrow: true })}
        {text('iou', { placeholder: t('cameraEditor.asMain'), narrow: true })}
        <label>
          {t('cameraEditor.track')}
          <input
            type="checkbox"
            data-testid="camera-form-track"
            checked={form.track}
            style={{ width: 28, height: 28 }}
            onChange={(e) => onChange({ ...form, track: e.target.checked })}
          />
          {problem('track')}
        </label>
      </div>
      <div className="form-row">
        {text('plc', { placeholder: 's7://10.0.0.5?rack=0&slot=1&db=11' })}
        {text('serial', { placeholder: '/dev/ttyUSB0?baud=115200' })}
      </div>
      <div className="form-row">
        <button className="primary" data-testid="camera-form-keep" onClick={onKeep}>
          {t('cameraEditor.keep')}
        </button>
        <button data-testid="camera-form-cancel" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}

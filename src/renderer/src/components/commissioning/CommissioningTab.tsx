/**
 * The Commissioning tab: calibration on a frozen frame, per-class limits, recipes, the audit
 * trail and (administrators) users. Each part talks to the station through the API, which checks
 * the role again; buttons the role may not use are hidden or disabled here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LibraryEntry } from '../../../../shared/api';
import type {
  AuditEntryView,
  AuditVerifyView,
  CalibrationPointView,
  ClassLimitsView,
  CommissioningStateView,
  RecipeListView,
  Role,
  SolveCalibrationView,
  UserView,
} from '../../../../shared/commissioning';
import { useStation } from '../../station-state';
import { AuditViewer, filterFor, type TimeRange } from './AuditViewer';
import { CalibrationEditor } from './CalibrationEditor';
import { ClassLimitsTable } from './ClassLimitsTable';
import { RecipePanel } from './RecipePanel';
import { useCameras } from '../../cameras-store';
import { activateRequest, CameraRecipeSelector, MAIN_CAMERA_NAME, recipeCamera } from '../CameraRecipes';
import { roleAtLeast, useSession } from './session';
import './commissioning.css';

const SECTIONS = ['calibration', 'classes', 'recipes', 'audit', 'users', 'models'] as const;
type Section = (typeof SECTIONS)[number];

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Saves text as a file in the browser (or the Electron window's downloads). */
function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function CommissioningTab() {
  const { t } = useTranslation();
  const { client } = useStation();
  const { role, session } = useSession();
  const [section, setSection] = useState<Section>('recipes');
  const [state, setState] = useState<CommissioningStateView | null>(null);
  const refreshState = useCallback(() => {
    client.getCommissioning().then(setState, () => undefined);
  }, [client]);
  useEffect(refreshState, [refreshState, session]);

  const visible = SECTIONS.filter(
    (s) =>
      (s !== 'audit' || roleAtLeast(role, 'engineer')) &&
      ((s !== 'users' && s !== 'models') || roleAtLeast(role, 'administrator')),
  );
  const current = visible.includes(section) ? section : 'recipes';
  return (
    <div className="cm-panel" data-testid="commissioning-tab">
      <span className="segmented cm-sections" role="tablist">
        {visible.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={current === s}
            className={current === s ? 'active' : ''}
            data-testid={`commission-section-${s}`}
            onClick={() => setSection(s)}
          >
            {t(`commission.section.${s}`, s)}
          </button>
        ))}
      </span>
      {current === 'calibration' && <CalibrationSection role={role} state={state} onSaved={setState} />}
      {current === 'classes' && <ClassesSection role={role} state={state} onSaved={refreshState} />}
      {current === 'recipes' && <RecipesSection role={role} state={state} onSwitched={setState} />}
      {current === 'audit' && <AuditSection role={role} />}
      {current === 'users' && <UsersSection />}
      {current === 'models' && <ModelsSection />}
      {state?.kiosk && roleAtLeast(role, 'engineer') && <KioskControls />}
    </div>
  );
}

function CalibrationSection(props: {
  role: Role | null;
  state: CommissioningStateView | null;
  onSaved: (s: CommissioningStateView) => void;
}) {
  const { t } = useTranslation();
  const { client, frames } = useStation();
  const [frame, setFrame] = useState<{ src: string; widthPx: number; heightPx: number } | null>(null);
  const [points, setPoints] = useState<CalibrationPointView[]>([]);
  const [solved, setSolved] = useState<SolveCalibrationView | null>(null);
  const [spacingMm, setSpacingMm] = useState(10);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loaded = useRef(false);
  const editable = roleAtLeast(props.role, 'engineer');

  useEffect(() => {
    if (loaded.current || !props.state) return;
    loaded.current = true;
    setPoints(props.state.calibration.points);
  }, [props.state]);
  useEffect(() => () => void (frame && URL.revokeObjectURL(frame.src)), [frame]);

  const solve = (pts: CalibrationPointView[], spacing: number) => {
    if (pts.length < 4) return setSolved(null);
    setBusy(true);
    client
      .solveCalibration({
        points: pts,
        ...(frame ? { grid: { widthPx: frame.widthPx, heightPx: frame.heightPx, spacingMm: spacing } } : {}),
      })
      .then(setSolved, (e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };

  return (
    <>
      {error && (
        <div className="cm-error" role="alert" data-testid="calib-error">
          {error}
        </div>
      )}
      <CalibrationEditor
        frame={frame}
        points={points}
        result={solved?.result ?? null}
        grid={solved?.grid ?? null}
        gridSpacingMm={spacingMm}
        editable={editable}
        busy={busy}
        onFreeze={() => {
          const f = frames.newest();
          if (!f) return setError('no frame received yet');
          const src = URL.createObjectURL(
            new Blob([f.previewJpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }),
          );
          setFrame({ src, widthPx: f.widthPx, heightPx: f.heightPx });
          setError(null);
        }}
        onPointsChange={(p) => {
          setPoints(p);
          setSolved(null);
        }}
        onSolve={() => solve(points, spacingMm)}
        onGridSpacingChange={(mm) => {
          setSpacingMm(mm);
          if (solved?.result.ok) solve(points, mm);
        }}
        onSave={() => {
          setBusy(true);
          client
            .setCalibration({ points })
            .then(
              (s) => {
                props.onSaved(s);
                setError(null);
              },
              (e: unknown) => setError(errorText(e)),
            )
            .finally(() => setBusy(false));
        }}
      />
      {props.state?.calibration.homographyPxToMm && (
        <div className="muted small" data-testid="calib-saved">
          {t('commission.calibrationSaved', 'Saved: RMS {{rms}} mm, {{n}} points', {
            rms: props.state.calibration.rmsMm?.toFixed(2) ?? '—',
            n: props.state.calibration.points.length,
          })}
        </div>
      )}
    </>
  );
}

function ClassesSection(props: {
  role: Role | null;
  state: CommissioningStateView | null;
  onSaved: () => void;
}) {
  const { client, view } = useStation();
  const [limits, setLimits] = useState<ClassLimitsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (props.state) setLimits(props.state.classLimits);
  }, [props.state]);
  if (!limits) return null;
  return (
    <ClassLimitsTable
      classNames={view.classNames}
      limits={limits}
      globalConfThreshold={view.params?.confThreshold ?? 0.25}
      hasCalibration={props.state?.calibration.homographyPxToMm != null}
      editable={roleAtLeast(props.role, 'engineer')}
      error={error}
      onChange={(next) => {
        const previous = limits;
        setLimits(next);
        client.setClassLimits(next).then(
          (applied) => {
            setLimits(applied);
            setError(null);
            props.onSaved();
          },
          (e: unknown) => {
            setLimits(previous);
            setError(errorText(e));
          },
        );
      }}
    />
  );
}

function RecipesSection(props: {
  role: Role | null;
  state: CommissioningStateView | null;
  onSwitched: (s: CommissioningStateView) => void;
}) {
  const { t } = useTranslation();
  const { client } = useStation();
  const [list, setList] = useState<RecipeListView>({ recipes: [], problems: [] });
  const cameras = useCameras();
  const [cameraName, setCameraName] = useState(MAIN_CAMERA_NAME);
  const camera = recipeCamera(cameras, cameraName)?.name ?? MAIN_CAMERA_NAME;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const refresh = useCallback(() => {
    client.listRecipes().then(setList, (e: unknown) => setError(errorText(e)));
  }, [client]);
  useEffect(refresh, [refresh]);

  const run = (p: Promise<unknown>) => {
    setBusy(true);
    p.then(
      () => setError(null),
      (e: unknown) => setError(errorText(e)),
    ).finally(() => {
      setBusy(false);
      refresh();
    });
  };

  if (props.role === null)
    return (
      <p className="muted" data-testid="recipes-login-hint">
        {t('commission.recipesLoginHint', '{{n}} recipes. Log in to switch.', { n: list.recipes.length })}
      </p>
    );
  // Another camera's recipe is known by name (listCameras); names are unique in the store.
  const activeId =
    camera === MAIN_CAMERA_NAME
      ? (props.state?.activeRecipeId ?? null)
      : (list.recipes.find((r) => r.name === recipeCamera(cameras, camera)?.recipe)?.id ?? null);
  return (
    <>
      <CameraRecipeSelector cameras={cameras} value={camera} onChange={setCameraName} />
      <RecipePanel
        recipes={list.recipes}
        problems={list.problems}
        activeId={activeId}
        role={props.role}
        busy={busy}
        error={error}
        onActivate={(id) => run(client.activateRecipe(activateRequest(id, camera)).then(props.onSwitched))}
        onCreate={(name) => run(client.createRecipe({ name }))}
        onRename={(id, name) => run(client.renameRecipe({ id, name }))}
        onDuplicate={(id) => run(client.duplicateRecipe({ id }))}
        onDelete={(id) => run(client.deleteRecipe({ id }))}
        onApprove={(id, approved) => run(client.approveRecipe({ id, approved }))}
        onExport={(id) =>
          run(client.exportRecipe({ id }).then((f) => download(f.fileName, f.text, 'application/json')))
        }
        onImport={() => fileInput.current?.click()}
        onAssignSlot={(id, slot) => run(client.assignRecipeSlot({ id, slot }))}
      />
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="recipe-import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) run(file.text().then((text) => client.importRecipe({ text })));
        }}
      />
    </>
  );
}

function AuditSection(props: { role: Role | null }) {
  const { client } = useStation();
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [user, setUser] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const [range, setRange] = useState<TimeRange>('day');
  const [verify, setVerify] = useState<AuditVerifyView | null>(null);
  // The most frequent actions as filter choices (a long list would push the entries off the panel).
  const [known, setKnown] = useState<{ users: string[]; methods: Map<string, number> }>({
    users: [],
    methods: new Map(),
  });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.queryAudit({ ...filterFor(range, Date.now(), user, method), limit: 500 }).then(
      (list) => {
        setEntries(list);
        setKnown((k) => ({
          users: [...new Set([...k.users, ...list.map((e) => e.user)])].sort(),
          methods: list.reduce((m, e) => m.set(e.method, (m.get(e.method) ?? 0) + 1), new Map(k.methods)),
        }));
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [client, user, method, range, props.role]);
  return (
    <>
      {error && <div className="cm-error">{error}</div>}
      <AuditViewer
        entries={entries}
        users={known.users}
        methods={[...known.methods]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([m]) => m)
          .sort()}
        user={user}
        method={method}
        range={range}
        verify={verify}
        onUserChange={setUser}
        onMethodChange={setMethod}
        onRangeChange={setRange}
        onVerify={() => client.verifyAudit().then(setVerify, (e: unknown) => setError(errorText(e)))}
        onExportCsv={() =>
          client.exportAuditCsv(filterFor(range, Date.now(), user, method)).then(
            (f) => download(f.fileName, f.csv, 'text/csv'),
            (e: unknown) => setError(errorText(e)),
          )
        }
      />
    </>
  );
}

function UsersSection() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [users, setUsers] = useState<UserView[]>([]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    client.listUsers().then(setUsers, (e: unknown) => setError(errorText(e)));
  }, [client]);
  useEffect(refresh, [refresh]);
  const run = (p: Promise<unknown>) =>
    p.then(
      () => {
        setError(null);
        refresh();
      },
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <div className="cm-panel" data-testid="users-panel">
      {error && (
        <div className="cm-error" role="alert" data-testid="users-error">
          {error}
        </div>
      )}
      <table className="cm-table">
        <tbody>
          {users.map((u) => (
            <tr key={u.username} data-testid={`user-${u.username}`} style={{ height: 52 }}>
              <td>{u.username}</td>
              <td>{t(`commission.role.${u.role}`, u.role)}</td>
              <td>{u.kind === 'pin' ? 'PIN' : t('commission.password', 'Password')}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  data-testid={`user-delete-${u.username}`}
                  onClick={() => run(client.deleteUser({ username: u.username }))}
                >
                  {t('commission.delete', 'Delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="cm-row">
        <input
          className="cm-touch"
          data-testid="user-new-name"
          placeholder={t('commission.user', 'User')}
          value={name}
          maxLength={32}
          onChange={(e) => setName(e.target.value.trim().toLowerCase())}
        />
        <span className="segmented" role="group">
          {(['operator', 'engineer', 'administrator'] as const).map((r) => (
            <button
              key={r}
              type="button"
              className={role === r ? 'active' : ''}
              aria-pressed={role === r}
              data-testid={`user-new-role-${r}`}
              onClick={() => setRole(r)}
            >
              {t(`commission.role.${r}`, r)}
            </button>
          ))}
        </span>
        <input
          className="cm-touch"
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          data-testid="user-new-pin"
          placeholder="PIN"
          value={pin}
          maxLength={12}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
        />
        <button
          type="button"
          className="primary"
          data-testid="user-create"
          disabled={!name || pin.length < 4}
          onClick={() => {
            run(client.createUser({ username: name, role, kind: 'pin', secret: pin }));
            setPin('');
          }}
        >
          {t('commission.addUser', 'Add user')}
        </button>
      </div>
    </div>
  );
}

/** Electron kiosk window: leaving it is for engineers and above (the station checks the role). */
function KioskControls() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [error, setError] = useState<string | null>(null);
  const leave = (action: 'exitKiosk' | 'quit') =>
    client.leaveKiosk({ action }).then(
      () => setError(null),
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <div className="cm-row" data-testid="kiosk-controls">
      <button type="button" data-testid="kiosk-exit" onClick={() => void leave('exitKiosk')}>
        {t('commission.exitKiosk', 'Leave full screen')}
      </button>
      <button type="button" className="danger" data-testid="kiosk-quit" onClick={() => void leave('quit')}>
        {t('commission.quit', 'Quit the app')}
      </button>
      {error && <span className="cm-error">{error}</span>}
    </div>
  );
}

/** Administrators: import a model file (loaded once by the station before it is added), delete one. */
function ModelsSection() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [entries, setEntries] = useState<LibraryEntry[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const refresh = useCallback(() => {
    client.listModels().then(setEntries, (e: unknown) => setError(errorText(e)));
  }, [client]);
  useEffect(refresh, [refresh]);
  const run = (what: string, p: Promise<unknown>) => {
    setBusy(what);
    p.then(
      () => setError(null),
      (e: unknown) => setError(errorText(e)),
    ).finally(() => {
      setBusy(null);
      refresh();
    });
  };
  const user = entries.filter((e) => e.location === 'user');
  return (
    <div className="cm-panel" data-testid="models-panel">
      {error && (
        <div className="cm-error" role="alert" data-testid="models-error">
          {error}
        </div>
      )}
      <div className="cm-row">
        <button
          type="button"
          className="primary"
          data-testid="model-import"
          disabled={busy !== null}
          onClick={() => fileInput.current?.click()}
        >
          {t('commission.importModel', 'Import a model (.onnx)…')}
        </button>
        {busy && (
          <span className="muted" role="status" data-testid="models-busy">
            {busy}
          </span>
        )}
      </div>
      <input
        ref={fileInput}
        type="file"
        accept=".onnx"
        hidden
        data-testid="model-import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          run(
            `${file.name}: ${t('commission.importing', 'uploading and checking…')}`,
            file
              .arrayBuffer()
              .then((b) => client.importModel({ fileName: file.name, bytes: new Uint8Array(b) })),
          );
        }}
      />
      <table className="cm-table">
        <tbody>
          {user.map((m) => (
            <tr key={m.id} data-testid="user-model" style={{ height: 52 }}>
              <td>{m.name}</td>
              <td className="muted small">
                {m.info ? `${m.info.family} · ${m.info.inputWidth}×${m.info.inputHeight}` : m.error}
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  disabled={busy !== null}
                  data-testid="user-model-delete"
                  onClick={() => run(m.name, client.deleteModel({ id: m.id }))}
                >
                  {t('commission.delete', 'Delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {user.length === 0 && <p className="muted">{t('commission.noUserModels', 'No imported models.')}</p>}
    </div>
  );
}

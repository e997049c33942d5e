/**
 * Recipes: operators see the approved ones and switch between them; engineers also create,
 * rename, duplicate, delete, approve, export and import; administrators assign PLC slots. The
 * station checks every call again (the buttons only spare people a refusal).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecipeProblemView, RecipeSummaryView, Role } from '../../../../shared/commissioning';
import { ConfirmDialog } from '../ConfirmDialog';
import { Stepper } from './Stepper';
import './commissioning.css';

const rank: Record<Role, number> = { operator: 1, engineer: 2, administrator: 3 };

export function RecipePanel(props: {
  recipes: readonly RecipeSummaryView[];
  problems: readonly RecipeProblemView[];
  activeId: string | null;
  role: Role;
  busy?: boolean;
  error?: string | null;
  onActivate: (id: string) => void;
  /** Creates a recipe from the station's current state. */
  onCreate: (name: string) => void;
  onRename: (id: string, name: string) => void;
  onDuplicate: (id: string) => void;
  onDelete: (id: string) => void;
  onApprove: (id: string, approved: boolean) => void;
  onExport: (id: string) => void;
  onImport: () => void;
  onAssignSlot: (id: string, slot: number | null) => void;
}) {
  const { t } = useTranslation();
  const engineer = rank[props.role] >= rank.engineer;
  const admin = props.role === 'administrator';
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [confirmDelete, setConfirmDelete] = useState<RecipeSummaryView | null>(null);
  const visible = engineer ? props.recipes : props.recipes.filter((r) => r.approved);
  const sel = props.recipes.find((r) => r.id === selected) ?? null;
  const disabled = props.busy;

  return (
    <div className="cm-panel" data-testid="recipe-panel">
      {props.error && (
        <div className="cm-error" role="alert" data-testid="recipe-error">
          {props.error}
        </div>
      )}
      <div className="cm-table-wrap" style={{ maxHeight: '45vh' }}>
        <table className="cm-table">
          <thead>
            <tr>
              <th>{t('commission.recipe', 'Recipe')}</th>
              <th>{t('commission.slot', 'PLC slot')}</th>
              {engineer && <th>{t('commission.approved', 'Approved')}</th>}
              <th />
            </tr>
          </thead>
          <tbody>
            {visible.map((r) => (
              <tr
                key={r.id}
                className={r.id === selected ? 'selected' : ''}
                data-testid={`recipe-${r.id}`}
                onClick={() => {
                  setSelected(r.id);
                  setName(r.name);
                }}
                style={{ height: 52 }}
              >
                <td>
                  {r.name}{' '}
                  {r.id === props.activeId && (
                    <span className="cm-chip cm-ok" data-testid="recipe-active">
                      {t('commission.active', 'active')}
                    </span>
                  )}
                </td>
                <td>{r.slot ?? '—'}</td>
                {engineer && <td>{r.approved ? '✓' : '—'}</td>}
                <td>
                  <button
                    type="button"
                    className="primary"
                    data-testid={`recipe-activate-${r.id}`}
                    disabled={disabled || r.id === props.activeId}
                    onClick={(e) => {
                      e.stopPropagation();
                      props.onActivate(r.id);
                    }}
                  >
                    {t('commission.switchTo', 'Switch to')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {visible.length === 0 && (
          <p className="muted">
            {engineer
              ? t('commission.noRecipes', 'No recipes yet: create one from the current settings.')
              : t('commission.noApproved', 'No approved recipes.')}
          </p>
        )}
      </div>

      {engineer && props.problems.length > 0 && (
        <div data-testid="recipe-problems">
          {props.problems.map((p) => (
            <div key={p.file} className="cm-warn small">
              {p.file}: {p.message}
            </div>
          ))}
        </div>
      )}

      {engineer && (
        <>
          <div className="cm-row">
            <input
              className="cm-touch"
              data-testid="recipe-name"
              value={name}
              maxLength={80}
              placeholder={t('commission.recipeName', 'Recipe name')}
              onChange={(e) => setName(e.target.value)}
            />
            <button
              type="button"
              data-testid="recipe-create"
              disabled={disabled || name.trim() === ''}
              onClick={() => props.onCreate(name.trim())}
            >
              {t('commission.createFromCurrent', 'New from current settings')}
            </button>
            <button
              type="button"
              data-testid="recipe-rename"
              disabled={disabled || !sel || name.trim() === '' || name.trim() === sel.name}
              onClick={() => sel && props.onRename(sel.id, name.trim())}
            >
              {t('commission.rename', 'Rename')}
            </button>
            <button type="button" data-testid="recipe-import" disabled={disabled} onClick={props.onImport}>
              {t('commission.import', 'Import…')}
            </button>
          </div>
          {sel && (
            <div className="cm-row" data-testid="recipe-actions">
              <button
                type="button"
                disabled={disabled}
                onClick={() => props.onDuplicate(sel.id)}
                data-testid="recipe-duplicate"
              >
                {t('commission.duplicate', 'Duplicate')}
              </button>
              <button
                type="button"
                disabled={disabled}
                className={`cm-toggle${sel.approved ? ' on' : ''}`}
                aria-pressed={sel.approved}
                onClick={() => props.onApprove(sel.id, !sel.approved)}
                data-testid="recipe-approve"
              >
                {t('commission.approvedForOperators', 'Approved for operators')}
              </button>
              <button
                type="button"
                disabled={disabled}
                onClick={() => props.onExport(sel.id)}
                data-testid="recipe-export"
              >
                {t('commission.export', 'Export…')}
              </button>
              {admin && (
                <>
                  <span>{t('commission.slot', 'PLC slot')}</span>
                  <Stepper
                    testId="recipe-slot"
                    label={t('commission.slot', 'PLC slot')}
                    value={sel.slot}
                    nullable
                    startAt={1}
                    step={1}
                    min={1}
                    max={32767}
                    decimals={0}
                    disabled={disabled}
                    onChange={(v) => props.onAssignSlot(sel.id, v)}
                  />
                </>
              )}
              <button
                type="button"
                className="danger"
                disabled={disabled || sel.id === props.activeId}
                onClick={() => setConfirmDelete(sel)}
                data-testid="recipe-delete"
              >
                {t('commission.delete', 'Delete')}
              </button>
            </div>
          )}
        </>
      )}

      {confirmDelete && (
        <ConfirmDialog
          title={t('commission.deleteTitle', 'Delete recipe?')}
          confirmLabel={t('commission.delete', 'Delete')}
          onCancel={() => setConfirmDelete(null)}
          onConfirm={() => {
            props.onDelete(confirmDelete.id);
            setConfirmDelete(null);
            setSelected(null);
          }}
        >
          {t('commission.deleteBody', '“{{name}}” will be deleted. Export it first to keep a copy.', {
            name: confirmDelete.name,
          })}
        </ConfirmDialog>
      )}
    </div>
  );
}

/**
 * The commissioning components render from props alone (server-side render, no browser): the
 * pieces a person needs are there, operators get no editing controls, and every button on them is
 * a touch target (the stylesheet sizes `.cm-panel button` to ≥ 44 px).
 */
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import '../../src/renderer/src/i18n';
import { AuditViewer, filterFor } from '../../src/renderer/src/components/commissioning/AuditViewer';
import {
  CalibrationEditor,
  toImagePx,
} from '../../src/renderer/src/components/commissioning/CalibrationEditor';
import {
  ClassLimitsTable,
  withLimit,
} from '../../src/renderer/src/components/commissioning/ClassLimitsTable';
import { LoginDialog } from '../../src/renderer/src/components/commissioning/LoginDialog';
import { RecipePanel } from '../../src/renderer/src/components/commissioning/RecipePanel';
import { clampRound } from '../../src/renderer/src/components/commissioning/Stepper';
import type { RecipeSummaryView } from '../../src/shared/commissioning';

const noop = () => {};
const recipes: RecipeSummaryView[] = [
  { id: 'bolts', name: 'Bolts', approved: true, modelId: 'classic', slot: 1, updatedAtMs: 0 },
  { id: 'nuts-draft', name: 'Nuts (draft)', approved: false, modelId: null, slot: null, updatedAtMs: 0 },
];
const recipeProps = {
  recipes,
  problems: [],
  activeId: 'bolts',
  onActivate: noop,
  onCreate: noop,
  onRename: noop,
  onDuplicate: noop,
  onDelete: noop,
  onApprove: noop,
  onExport: noop,
  onImport: noop,
  onAssignSlot: noop,
};

describe('commissioning components', () => {
  it('recipe panel: operators see approved recipes and a switch button only', () => {
    const op = renderToStaticMarkup(h(RecipePanel, { ...recipeProps, role: 'operator' }));
    expect(op).toContain('data-testid="recipe-bolts"');
    expect(op).not.toContain('Nuts (draft)');
    expect(op).not.toContain('recipe-create');
    const eng = renderToStaticMarkup(h(RecipePanel, { ...recipeProps, role: 'engineer' }));
    expect(eng).toContain('Nuts (draft)');
    expect(eng).toContain('data-testid="recipe-create"');
  });

  it('class limits table: one row per class; operators get disabled controls', () => {
    const limits = withLimit({ classes: {}, othersEnabled: true }, 'bottle', { confThreshold: 0.4 });
    const html = renderToStaticMarkup(
      h(ClassLimitsTable, {
        classNames: ['person', 'bottle'],
        limits,
        globalConfThreshold: 0.25,
        hasCalibration: false,
        editable: false,
        onChange: noop,
      }),
    );
    expect(html).toContain('data-testid="class-limit-0"');
    expect(html).toMatch(/data-testid="class-limit-1-conf-value"[^>]*>0\.40</);
    expect(html).toContain('global 0.25');
    expect(html).toMatch(/data-testid="class-limit-1-enabled" disabled=""/);
    expect(html).toContain('Areas in mm² need a calibration.');
  });

  it('calibration editor: residuals, RMS and a refusal reason', () => {
    const points = [
      { pixel: [10, 10] as [number, number], mm: [0, 0] as [number, number] },
      { pixel: [90, 10] as [number, number], mm: [40, 0] as [number, number] },
    ];
    const ok = renderToStaticMarkup(
      h(CalibrationEditor, {
        frame: { src: 'data:,', widthPx: 100, heightPx: 50 },
        points,
        result: {
          ok: true,
          homography: [0.5, 0, -5, 0, 0.5, -5, 0, 0, 1],
          residuals: points.map((p, index) => ({ ...p, index, predictedMm: p.mm, errorMm: 0.125 })),
          rmsMm: 0.125,
          maxErrorMm: 0.125,
        },
        grid: [{ axis: 'x', valueMm: 0, p1Px: [10, 0], p2Px: [10, 50] }],
        gridSpacingMm: 10,
        editable: true,
        onFreeze: noop,
        onPointsChange: noop,
        onSolve: noop,
        onGridSpacingChange: noop,
        onSave: noop,
      }),
    );
    expect(ok).toContain('RMS 0.13 mm · max 0.13 mm');
    expect(ok).toMatch(/data-testid="calib-residual-1">0\.13 mm</);
    expect(ok).toContain('<line x1="10" y1="0" x2="10" y2="50"');
    const refused = renderToStaticMarkup(
      h(CalibrationEditor, {
        frame: null,
        points: [],
        result: { ok: false, reason: 'collinearPoints', message: 'three of the four points lie on one line' },
        grid: null,
        gridSpacingMm: 10,
        editable: true,
        onFreeze: noop,
        onPointsChange: noop,
        onSolve: noop,
        onGridSpacingChange: noop,
        onSave: noop,
      }),
    );
    expect(refused).toContain('data-reason="collinearPoints"');
    expect(refused).toMatch(/data-testid="calib-solve" disabled=""/);
    expect(
      toImagePx(
        { x: 150, y: 75 },
        { left: 100, top: 50, width: 200, height: 100 },
        { widthPx: 640, heightPx: 320 },
      ),
    ).toEqual([160, 80]);
  });

  it('login dialog: PIN pad with 12 keys and the station’s refusal', () => {
    const html = renderToStaticMarkup(
      h(LoginDialog, {
        usernames: ['op', 'eng'],
        kind: 'pin',
        error: 'too many wrong attempts: locked for 5 minutes',
        onKindChange: noop,
        onLogin: noop,
        onCancel: noop,
      }),
    );
    expect(html.match(/data-testid="login-key-/g)).toHaveLength(12);
    expect(html).toContain('too many wrong attempts: locked for 5 minutes');
  });

  it('audit viewer: newest first; verify result; filters from choices', () => {
    const entry = (seq: number) => ({
      seq,
      atMs: seq * 1000,
      user: 'eng',
      role: 'engineer',
      client: 'ws',
      method: 'setParams',
      target: null,
      before: { confThreshold: 0.25 },
      after: { confThreshold: 0.3 },
      prevHash: '0',
      hash: '1',
    });
    const html = renderToStaticMarkup(
      h(AuditViewer, {
        entries: [entry(1), entry(2)],
        users: ['eng'],
        methods: ['setParams'],
        user: null,
        method: null,
        range: 'all',
        verify: {
          ok: false,
          entries: 0,
          line: 1,
          kind: 'hashMismatch',
          message: 'line 1 was changed after it was written',
        },
        onUserChange: noop,
        onMethodChange: noop,
        onRangeChange: noop,
        onVerify: noop,
        onExportCsv: noop,
      }),
    );
    expect(html.indexOf('audit-entry-2')).toBeLessThan(html.indexOf('audit-entry-1'));
    expect(html).toContain('line 1 was changed after it was written');
    expect(filterFor('hour', 10_000_000, 'eng', null)).toEqual({
      user: 'eng',
      fromMs: 10_000_000 - 3_600_000,
    });
    expect(filterFor('all', 0, null, 'setPlc')).toEqual({ method: 'setPlc' });
  });

  it('stepper arithmetic clamps and rounds', () => {
    expect(clampRound(0.1 + 0.2, 0, 1, 2)).toBe(0.3);
    expect(clampRound(1.04, 0, 1, 2)).toBe(1);
    expect(clampRound(-3, 0, 1, 2)).toBe(0);
  });
});

/**
 * The UI's plain types (src/shared/commissioning.ts) must stay equal to what the core's schemas
 * produce; `tsc` fails this file when they drift (the runtime assertions are trivially true).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { AuditEntry, VerifyResult } from '../../src/main/audit/audit-log';
import type { ClassLimit, ClassLimits } from '../../src/main/core/class-limits';
import type { CalibrationPoint, GridLine, SolveRefusal } from '../../src/main/core/calibration-solver';
import type { Role as CoreRole } from '../../src/main/core/permissions';
import type { RecipeFileTrouble, RecipeSummary } from '../../src/main/storage/recipes';
import type {
  AuditEntryView,
  AuditVerifyView,
  CalibrationPointView,
  CalibrationRefusal,
  ClassLimitsView,
  ClassLimitView,
  GridLineView,
  RecipeProblemView,
  RecipeSummaryView,
  Role,
} from '../../src/shared/commissioning';

describe('shared commissioning types match the core', () => {
  it('are equal', () => {
    expectTypeOf<ClassLimit>().toEqualTypeOf<ClassLimitView>();
    expectTypeOf<ClassLimits>().toEqualTypeOf<ClassLimitsView>();
    expectTypeOf<CalibrationPoint>().toEqualTypeOf<CalibrationPointView>();
    expectTypeOf<SolveRefusal>().toEqualTypeOf<CalibrationRefusal>();
    expectTypeOf<GridLine>().toEqualTypeOf<GridLineView>();
    expectTypeOf<CoreRole>().toEqualTypeOf<Role>();
    expectTypeOf<RecipeSummary>().toEqualTypeOf<RecipeSummaryView>();
    expectTypeOf<RecipeFileTrouble>().toEqualTypeOf<RecipeProblemView>();
    expectTypeOf<AuditEntry>().toEqualTypeOf<AuditEntryView>();
    expectTypeOf<VerifyResult>().toEqualTypeOf<AuditVerifyView>();
  });
});

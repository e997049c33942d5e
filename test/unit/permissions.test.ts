import { describe, expect, it } from 'vitest';
import { canActivateRecipe, canCall, MIN_ROLE, unguardedApiMethods } from '../../src/main/core/permissions';
import { API_METHODS } from '../../src/shared/api';

describe('canCall', () => {
  it('every API method has a minimum role', () => {
    expect(unguardedApiMethods()).toEqual([]);
    // Exactly the API's methods: no role for a method that does not exist.
    expect(Object.keys(MIN_ROLE).sort()).toEqual([...API_METHODS].sort());
  });

  it('operator: view, acknowledge, switch recipes; nothing that tunes or connects', () => {
    for (const m of [
      'getSnapshot',
      'listModels',
      'acknowledgeAlarm',
      'activateRecipe',
      'listRecipes',
      'logout',
    ])
      expect(canCall('operator', m), m).toBe(true);
    for (const m of [
      'setParams',
      'swapModel',
      'setPlc',
      'setSource',
      'saveRecipe',
      'setCalibration',
      'setClassLimits',
      'createUser',
      'importModel',
      'queryAudit',
      'leaveKiosk',
    ])
      expect(canCall('operator', m), m).toBe(false);
  });

  it('engineer: tuning, recipes, calibration, zones; not users, PLC or camera connection, model import', () => {
    for (const m of [
      'setParams',
      'swapModel',
      'saveRecipe',
      'deleteRecipe',
      'setCalibration',
      'setZones',
      'setClassLimits',
      'acknowledgeAlarm',
      'queryAudit',
      'leaveKiosk',
    ])
      expect(canCall('engineer', m), m).toBe(true);
    for (const m of [
      'setPlc',
      'setSource',
      'createUser',
      'deleteUser',
      'importModel',
      'downloadModel',
      'assignRecipeSlot',
    ])
      expect(canCall('engineer', m), m).toBe(false);
  });

  it('administrator: everything; nobody logged in: only the read-only views, login and logout; unknown methods: no one', () => {
    for (const m of Object.keys(MIN_ROLE)) expect(canCall('administrator', m), m).toBe(true);
    expect(
      Object.keys(MIN_ROLE)
        .filter((m) => canCall(null, m))
        .sort(),
    ).toEqual(
      [
        'getAppInfo',
        'getSnapshot',
        'getAlarmJournal',
        'getHistory',
        'listModels',
        'getTracking',
        'getEvaluation',
        'login',
        'logout',
        'whoAmI',
        'listRecipes',
        'getCommissioning',
        'listRecordings',
        'getRecordingInfo',
        'getReviewTimeline',
        'getReviewEvents',
        'getReviewFrame',
        'getRerun',
        'getRecording',
        'getIntegration',
        'getFleet',
      ].sort(),
    );
    for (const m of ['acknowledgeAlarm', 'resetCounters', 'activateRecipe', 'setParams', 'setPlc'])
      expect(canCall(null, m), m).toBe(false);
    expect(canCall('administrator', 'formatDisk')).toBe(false);
    expect(canCall('administrator', '__proto__')).toBe(false);
    expect(canCall('administrator', 'toString')).toBe(false);
  });

  it('operators switch only to approved recipes', () => {
    expect(canActivateRecipe('operator', true)).toBe(true);
    expect(canActivateRecipe('operator', false)).toBe(false);
    expect(canActivateRecipe('engineer', false)).toBe(true);
    expect(canActivateRecipe(null, true)).toBe(false);
  });
});

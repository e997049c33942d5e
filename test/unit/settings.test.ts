import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings, saveSettings } from '../../src/main/storage/settings';
import { API_ARGS, firstIssue } from '../../src/shared/api-schemas';

const dir = mkdtempSync(join(tmpdir(), 'vs-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('defaults when there is no file: the demo clip (source null), best model, PLC simulator', async () => {
    const s = await loadSettings(join(dir, 'none.json'));
    expect(s).toMatchObject({
      source: null,
      modelId: null,
      plc: { uri: 'sim', handshake: 'free-run', maxObjects: 16 },
      params: { confThreshold: 0.25, iouThreshold: 0.45, classFilter: null },
      ui: { locale: 'en', liveViewMode: 'inference-first' },
    });
  });

  it('round-trips through an atomic write, leaving no temporary file', async () => {
    const path = join(dir, 'settings.json');
    const s = await loadSettings(path);
    s.params.confThreshold = 0.6;
    s.ui.locale = 'ko';
    s.ui.liveViewMode = 'steady';
    await saveSettings(path, s);
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(await loadSettings(path)).toEqual(s);
  });

  it('refuses a live view mode it does not know, in the file and over the API', async () => {
    const bad = join(dir, 'bad-live-view.json');
    writeFileSync(bad, JSON.stringify({ ui: { liveViewMode: 'smooth' } }));
    await expect(loadSettings(bad)).rejects.toThrow(
      `settings ${bad}: ui.liveViewMode: must be one of 'inference-first', 'steady'`,
    );
    const r = API_ARGS.setUiSettings.safeParse([{ liveViewMode: 'smooth' }]);
    expect(r.success ? null : firstIssue(r.error)).toBe(
      "0.liveViewMode: must be one of 'inference-first', 'steady'",
    );
    expect(API_ARGS.setUiSettings.safeParse([{ liveViewMode: 'steady' }]).success).toBe(true);
  });

  it('refuses a bad file with the field named', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ params: { confThreshold: 3 } }));
    await expect(loadSettings(bad)).rejects.toThrow(
      `settings ${bad}: params.confThreshold: Too big: expected number to be <=1`,
    );
    writeFileSync(bad, '{"source": ');
    await expect(loadSettings(bad)).rejects.toThrow(/is not valid JSON/);
    writeFileSync(bad, JSON.stringify({ sauce: 'synthetic:' }));
    await expect(loadSettings(bad)).rejects.toThrow(/Unrecognized key/);
    expect(readFileSync(bad, 'utf8')).toBe('{"sauce":"synthetic:"}');
  });
});

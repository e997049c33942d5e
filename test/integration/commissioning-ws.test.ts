/**
 * Roles, sessions and the audit trail over a real WebSocket to a running Station, and recipes
 * switched from the UI (API) and from the PLC (node-snap7 S7Server). Requests are sent raw, as a
 * hostile client would: the station decides, not the UI.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsServerMessage } from '../../src/shared/api';
import type { AuditEntryView, SessionView } from '../../src/shared/commissioning';
import { PlcSim } from '../../src/main/plc/plc-sim';
import { startWebServer, type WebServer } from '../../src/main/server/web-server';
import { Station } from '../../src/main/station/station';
import { freePort } from '../../src/main/util/net';
import { stringifyWire } from '../../src/shared/wire';
import { ROOT, sharedModel, WORKER_JS } from '../helpers/paths';

const TOKEN = 'commissioning-test-token';
const cost = { N: 1024, r: 8, p: 1 };
const tmp = mkdtempSync(join(tmpdir(), 'vs-commission-'));
const logs: string[] = [];
let station: Station;
let server: WebServer;
let sim: PlcSim;

async function startStation(dataDir: string, plc: string | null, idleTimeoutMs = 10 * 60_000) {
  const s = new Station({
    backend: 'websocket',
    version: 'test',
    dataDir,
    projectModelsDir: join(dataDir, 'no-models'),
    workerPath: WORKER_JS,
    log: (l) => logs.push(l),
    overrides: { source: 'synthetic:?size=320x180&fps=10', model: 'classic', plc },
    commissioning: { scryptCost: cost, idleTimeoutMs },
  });
  await s.start();
  const web = await startWebServer({
    station: s,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    staticDir: join(ROOT, 'out', 'renderer'),
    log: (l) => logs.push(l),
  });
  return { station: s, server: web };
}

beforeAll(async () => {
  const port = await freePort();
  sim = new PlcSim({ port, dbNumber: 7 });
  await sim.start();
  ({ station, server } = await startStation(join(tmp, 'station'), `s7://127.0.0.1:${port}?db=7`));
}, 60_000);
afterAll(async () => {
  await server?.close();
  await station?.close();
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Client {
  call: (method: string, ...args: unknown[]) => Promise<unknown>;
  /** Resolves with the next `session` event (pushed to this client only). */
  nextSession: () => Promise<SessionView>;
  sessions: SessionView[];
  close: () => void;
}

/** A raw WebSocket client: requests as JSON, answers by id, `session` events collected. */
async function connect(web: WebServer = server): Promise<Client> {
  const ws = new WebSocket(`${web.url.replace('http', 'ws')}ws?token=${TOKEN}`);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const sessions: SessionView[] = [];
  let sessionWaiter: ((s: SessionView) => void) | null = null;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(data.toString()) as WsServerMessage;
    if (m.type === 'response') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(Object.assign(new Error(m.error), { code: m.code, params: m.params }));
    } else if (m.type === 'event' && m.event === 'session') {
      sessions.push(m.payload as SessionView);
      sessionWaiter?.(m.payload as SessionView);
      sessionWaiter = null;
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  return {
    call: (method, ...args) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(stringifyWire({ id, method, args }));
      }),
    nextSession: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no session event within 10 s')), 10_000);
        sessionWaiter = (s) => {
          clearTimeout(timer);
          resolve(s);
        };
      }),
    sessions,
    close: () => ws.close(),
  };
}

const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)}`);
    },
    (e: Error) => e.message,
  );

async function params(c: Client): Promise<{ confThreshold: number; iouThreshold: number }> {
  return ((await c.call('getSnapshot')) as { params: { confThreshold: number; iouThreshold: number } })
    .params;
}

function waitRecipeActive(slot: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`recipeActive ${slot} not written within 20 s`)), 20_000);
    const on = (v: number): void => {
      if (v !== slot) return;
      clearTimeout(timer);
      sim.off('recipeActive', on);
      resolve(v);
    };
    sim.on('recipeActive', on);
  });
}

describe('commissioning over the WebSocket', () => {
  let admin: Client;
  let engineer: Client;
  let operator: Client;
  let nobody: Client;

  it('open commissioning while no users exist: every client acts as administrator, and it is audited', async () => {
    admin = await connect();
    expect(await admin.call('whoAmI')).toEqual({
      open: true,
      username: null,
      role: 'administrator',
      idleTimeoutMs: 600_000,
    });
    await admin.call('setParams', { confThreshold: 0.3 });
    expect((await params(admin)).confThreshold).toBe(0.3);
    expect(await refusal(admin.call('login', { username: 'ann', secret: '1234' }))).toMatch(
      /no users are defined yet/,
    );
    // The first user must be an administrator.
    expect(
      await refusal(
        admin.call('createUser', { username: 'eve', role: 'engineer', kind: 'pin', secret: '1234' }),
      ),
    ).toBe('the first user must be an administrator');
  });

  it('the first administrator ends open commissioning; every client is told and logged out', async () => {
    nobody = await connect();
    const told = nobody.nextSession();
    await admin.call('createUser', { username: 'ann', role: 'administrator', kind: 'pin', secret: '2468' });
    expect(await told).toMatchObject({ open: false, username: null, role: null, reason: 'usersChanged' });
    expect(await admin.call('whoAmI')).toMatchObject({ open: false, username: null, role: null });
    // Logged out: the live picture and the lists still come, changes do not.
    expect(await nobody.call('getSnapshot')).toHaveProperty('params');
    expect(await nobody.call('listRecipes')).toEqual({ recipes: [], problems: [] });
    expect(await refusal(nobody.call('acknowledgeAlarm', { id: 1 }))).toBe(
      'not logged in: acknowledgeAlarm needs the operator role',
    );
    expect(await refusal(nobody.call('setParams', { confThreshold: 0.9 }))).toBe(
      'not logged in: setParams needs the engineer role',
    );
    expect(await refusal(admin.call('login', { username: 'ann', secret: '0000' }))).toBe(
      'wrong user name or PIN/password',
    );
    expect(await admin.call('login', { username: 'ann', secret: '2468' })).toMatchObject({
      open: false,
      username: 'ann',
      role: 'administrator',
      reason: 'login',
    });
    await admin.call('createUser', { username: 'eng', role: 'engineer', kind: 'pin', secret: '1357' });
    await admin.call('createUser', {
      username: 'op',
      role: 'operator',
      kind: 'password',
      secret: 'operator-pass',
    });
    expect(((await admin.call('listUsers')) as { username: string }[]).map((u) => u.username)).toEqual([
      'ann',
      'eng',
      'op',
    ]);
  });

  it("an operator's session cannot change thresholds or the PLC, even sending the request directly", async () => {
    operator = await connect();
    await operator.call('login', { username: 'op', secret: 'operator-pass' });
    const before = await params(operator);
    expect(await refusal(operator.call('setParams', { confThreshold: 0.95 }))).toBe(
      'forbidden: setParams needs the engineer role (op is operator)',
    );
    // Coded, so the screen says it in its own language.
    await expect(operator.call('setParams', { confThreshold: 0.95 })).rejects.toMatchObject({
      code: 'forbidden',
      params: { method: 'setParams', role: 'engineer', user: 'op', userRole: 'operator' },
    });
    expect(await refusal(operator.call('setPlc', { uri: null }))).toBe(
      'forbidden: setPlc needs the administrator role (op is operator)',
    );
    expect(await refusal(operator.call('setClassLimits', { classes: {}, othersEnabled: false }))).toMatch(
      /^forbidden: setClassLimits needs the engineer role/,
    );
    // A token in the message is no way round: the request shape is strict, sessions live on the station.
    expect(await refusal(operator.call('setParams', { confThreshold: 0.95, token: 'x' }))).toMatch(
      /^invalid setParams request/,
    );
    expect(await params(operator)).toEqual(before);
    expect(((await operator.call('getSnapshot')) as { plc: { state: string } }).plc.state).not.toBe('off');
    // What an operator may do: acknowledge (an unknown id is refused by the station, not the gate).
    expect(await refusal(operator.call('acknowledgeAlarm', { id: 999 }))).toBe('no alarm with id 999');
  });

  it("an engineer's session can tune; the session is per connection", async () => {
    engineer = await connect();
    await engineer.call('login', { username: 'eng', secret: '1357' });
    expect(await engineer.call('setParams', { confThreshold: 0.55 })).toMatchObject({ confThreshold: 0.55 });
    expect((await params(operator)).confThreshold).toBe(0.55);
    expect(await refusal(engineer.call('setPlc', { uri: null }))).toMatch(
      /^forbidden: setPlc needs the administrator role/,
    );
    // Another connection is not logged in because this one is.
    expect(await refusal(nobody.call('setParams', { confThreshold: 0.1 }))).toMatch(/^not logged in/);
    expect(await engineer.call('logout')).toMatchObject({ username: null, role: null, reason: 'logout' });
    expect(await refusal(engineer.call('setParams', { confThreshold: 0.1 }))).toMatch(/^not logged in/);
    await engineer.call('login', { username: 'eng', secret: '1357' });
  });

  it('recipes: create from the current state, operators switch only approved ones, the switch reports recipeActive to the PLC', async () => {
    await engineer.call('setParams', { confThreshold: 0.4, iouThreshold: 0.5 });
    const a = (await engineer.call('createRecipe', { name: 'Job A' })) as { id: string };
    await engineer.call('setParams', { confThreshold: 0.7 });
    const b = (await engineer.call('createRecipe', { name: 'Job B' })) as { id: string };
    expect(a.id).toBe('job-a');
    expect(b.id).toBe('job-b');
    expect(await refusal(engineer.call('assignRecipeSlot', { id: a.id, slot: 3 }))).toMatch(
      /^forbidden: assignRecipeSlot needs the administrator role/,
    );
    await admin.call('assignRecipeSlot', { id: a.id, slot: 3 });
    await admin.call('assignRecipeSlot', { id: b.id, slot: 5 });
    await engineer.call('approveRecipe', { id: a.id, approved: true });

    expect(await refusal(operator.call('activateRecipe', { id: b.id }))).toMatch(/is not approved/);
    const active = waitRecipeActive(3);
    expect(await operator.call('activateRecipe', { id: a.id })).toMatchObject({ activeRecipeId: 'job-a' });
    expect(await active).toBe(3);
    expect(await params(operator)).toMatchObject({ confThreshold: 0.4, iouThreshold: 0.5 });

    // From the PLC: recipeRequest 5 → Job B, recipeActive 5.
    const fromPlc = waitRecipeActive(5);
    await sim.setControl({ recipeRequest: 5 });
    expect(await fromPlc).toBe(5);
    await station.commissioning.plcIdle();
    expect(await operator.call('getCommissioning')).toMatchObject({ activeRecipeId: 'job-b' });
    expect((await params(operator)).confThreshold).toBe(0.7);
  });

  it('recipes: export, import (renamed when the name is taken), damaged and future-version files refused with the reason', async () => {
    const exported = (await engineer.call('exportRecipe', { id: 'job-a' })) as {
      fileName: string;
      text: string;
    };
    expect(exported.fileName).toBe('job-a.recipe.json');
    expect(JSON.parse(exported.text)).toMatchObject({
      version: 2,
      name: 'Job A',
      params: { confThreshold: 0.4 },
    });
    expect(await engineer.call('importRecipe', { text: exported.text })).toMatchObject({
      name: 'Job A (imported)',
      slot: null,
    });
    expect(await refusal(engineer.call('importRecipe', { text: exported.text.slice(0, 40) }))).toMatch(
      /^cannot import the file: not valid JSON/,
    );
    const future = JSON.stringify({ ...JSON.parse(exported.text), version: 9 });
    expect(await refusal(engineer.call('importRecipe', { text: future }))).toBe(
      'cannot import the file: made by a newer Vision Station (recipe version 9; this one reads up to 2)',
    );
    expect(await refusal(operator.call('importRecipe', { text: exported.text }))).toMatch(/^forbidden/);

    // Into a fresh data folder (another station): same content.
    const fresh = await startStation(join(tmp, 'fresh'), null);
    try {
      const c = await connect(fresh.server);
      const imported = (await c.call('importRecipe', { text: exported.text })) as { id: string };
      expect(imported).toMatchObject({ id: 'job-a', name: 'Job A', slot: 3 });
      const again = (await c.call('getRecipe', { id: 'job-a' })) as Record<string, unknown>;
      const original = JSON.parse(exported.text) as Record<string, unknown>;
      expect({ ...again, updatedAtMs: 0 }).toEqual({ ...original, updatedAtMs: 0 });
      c.close();
    } finally {
      await fresh.server.close();
      await fresh.station.close();
    }
  }, 60_000);

  it('calibration: solved and applied by an engineer (refused when degenerate), class limits applied', async () => {
    const points = [
      { pixel: [0, 0], mm: [0, 0] },
      { pixel: [320, 0], mm: [160, 0] },
      { pixel: [320, 180], mm: [160, 90] },
      { pixel: [0, 180], mm: [0, 90] },
    ];
    const solved = (await operator.call('getCommissioning')) as { calibration: { homographyPxToMm: null } };
    expect(solved.calibration.homographyPxToMm).toBeNull();
    const r = (await engineer.call('solveCalibration', {
      points,
      grid: { widthPx: 320, heightPx: 180, spacingMm: 40 },
    })) as { result: { ok: boolean; rmsMm: number }; grid: unknown[] };
    expect(r.result.ok).toBe(true);
    expect(r.result.rmsMm).toBeLessThan(1e-6);
    expect(r.grid.length).toBe(5 + 3);
    const collinear = points.map((p, i) => ({ pixel: [i * 10, i * 10], mm: p.mm }));
    expect(await refusal(engineer.call('setCalibration', { points: collinear }))).toMatch(
      /^calibration not saved: .*(collinear|line)/,
    );
    const set = (await engineer.call('setCalibration', { points })) as {
      calibration: { homographyPxToMm: number[]; rmsMm: number };
    };
    expect(set.calibration.homographyPxToMm.map((v) => Math.round(v * 1000) / 1000 + 0)).toEqual([
      0.5, 0, 0, 0, 0.5, 0, 0, 0, 1,
    ]);
    expect(await refusal(operator.call('setCalibration', { points }))).toMatch(/^forbidden/);
    const name = station.vision.engine.model!.classNames.at(-1)!;
    const limit = {
      enabled: true,
      confThreshold: 0.6,
      areaUnit: 'px',
      minArea: 10,
      maxArea: null,
      minAspect: null,
      maxAspect: null,
      sendToPlc: true,
    };
    const limits = { classes: { [name]: limit }, othersEnabled: true };
    expect(await engineer.call('setClassLimits', limits)).toEqual(limits);
    expect(station.vision.pipeline?.classLimits).toEqual(limits);
    expect(
      await refusal(
        engineer.call('setClassLimits', { classes: { nosuchclass: limit }, othersEnabled: true }),
      ),
    ).toMatch(/^class limits not applied: unknown class 'nosuchclass'/);
    expect(await refusal(operator.call('setClassLimits', limits))).toMatch(/^forbidden/);
    // With the calibration, areas in mm² are accepted: a huge minimum filters every object out.
    const mm2 = {
      classes: { [name]: { ...limit, confThreshold: null, areaUnit: 'mm2', minArea: 1e6 } },
      othersEnabled: true,
    };
    expect(await engineer.call('setClassLimits', mm2)).toEqual(mm2);
    const filtered = await new Promise<{ kept: number; reasons: string[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame with the mm² limit within 20 s')), 20_000);
      const on = (r: { detections: unknown[]; filtered?: { reason: string }[] }): void => {
        if (!r.filtered?.length) return;
        clearTimeout(timer);
        station.vision.off('result', on as never);
        resolve({ kept: r.detections.length, reasons: r.filtered.map((f) => f.reason) });
      };
      station.vision.on('result', on as never);
    });
    expect(filtered.kept).toBe(0);
    expect(new Set(filtered.reasons)).toEqual(new Set(['areaTooSmall']));
    await engineer.call('setClassLimits', limits);
  });

  it('the audit log records each change with user, role, client, before and after, and detects a tampered line', async () => {
    const entries = (await engineer.call('queryAudit', {})) as AuditEntryView[];
    const open = entries.find((e) => e.method === 'setParams' && e.user === 'open-commissioning')!;
    expect(open).toMatchObject({ role: 'administrator', after: { confThreshold: 0.3 } });
    const tuned = entries.find((e) => e.method === 'setParams' && e.user === 'eng')!;
    expect(tuned.role).toBe('engineer');
    expect(tuned.client).toMatch(/^ws 127\.0\.0\.1:\d+$/);
    expect(tuned.before).toMatchObject({ confThreshold: 0.3 });
    expect(tuned.after).toMatchObject({ confThreshold: 0.55 });
    const methods = entries.map((e) => e.method);
    for (const m of [
      'createUser',
      'login',
      'logout',
      'createRecipe',
      'activateRecipe',
      'recipeRequest',
      'setCalibration',
      'setClassLimits',
    ])
      expect(methods, m).toContain(m);
    // Refused calls changed nothing and are not recorded as changes.
    expect(entries.filter((e) => e.user === 'op' && e.method === 'setParams')).toEqual([]);
    const switched = entries.find((e) => e.method === 'activateRecipe')!;
    expect(switched).toMatchObject({ user: 'op', role: 'operator', target: 'job-a', before: null });
    expect(entries.find((e) => e.method === 'recipeRequest')).toMatchObject({
      user: 'plc',
      before: 'job-a',
      after: 'job-b',
    });
    // Secrets never reach the log.
    const raw = readFileSync(join(tmp, 'station', 'audit.log'), 'utf8');
    expect(raw).not.toContain('2468');
    expect(raw).not.toContain('operator-pass');

    const csv = (await engineer.call('exportAuditCsv', { method: 'setParams' })) as { csv: string };
    expect(csv.csv.split('\r\n')[0]).toBe('seq,time,user,role,client,method,target,before,after,hash');

    expect(await engineer.call('verifyAudit')).toMatchObject({ ok: true });
    const lines = raw.trimEnd().split('\n');
    const n = lines.findIndex((l) => l.includes('"method":"setParams"') && l.includes('"user":"eng"'));
    lines[n] = lines[n]!.replace('"user":"eng"', '"user":"ann"');
    writeFileSync(join(tmp, 'station', 'audit.log'), lines.join('\n') + '\n');
    expect(await engineer.call('verifyAudit')).toMatchObject({
      ok: false,
      kind: 'hashMismatch',
      line: n + 1,
    });
  });

  it('models: an administrator imports an uploaded model (a damaged one is refused) and deletes it', async () => {
    const bytes = new Uint8Array(readFileSync(sharedModel('yolo11n-int8-coco-320.onnx')));
    const fileName = 'line2-yolo11n.onnx';
    expect(await refusal(engineer.call('importModel', { fileName, bytes }))).toMatch(
      /^forbidden: importModel needs the administrator role/,
    );
    const entry = (await admin.call('importModel', { fileName, bytes })) as {
      id: string;
      location: string;
      info: { classNames: string[] } | null;
    };
    expect(entry.location).toBe('user');
    expect(entry.id).toBe(join(tmp, 'station', 'models', fileName));
    expect(entry.info?.classNames).toContain('person');
    expect(
      await refusal(
        admin.call('importModel', {
          fileName: 'broken.onnx',
          bytes: new TextEncoder().encode('not a model'),
        }),
      ),
    ).toMatch(/^cannot import broken\.onnx: /);
    expect(await refusal(admin.call('importModel', { fileName: '../evil.onnx', bytes }))).toMatch(
      /^invalid importModel request/,
    );
    const ids = (list: unknown) => (list as { id: string }[]).map((e) => e.id);
    expect(ids(await admin.call('listModels'))).toContain(entry.id);
    expect(await refusal(admin.call('deleteModel', { id: 'classic' }))).toMatch(/not an imported model/);
    expect(ids(await admin.call('deleteModel', { id: entry.id }))).not.toContain(entry.id);
    const audit = (await admin.call('queryAudit', { method: 'importModel' })) as AuditEntryView[];
    expect(audit.map((e) => [e.user, e.target])).toEqual([['ann', fileName]]);
  }, 60_000);

  it('deleting a user ends their sessions at once, pushed to the client', async () => {
    const told = operator.nextSession();
    await admin.call('deleteUser', { username: 'op' });
    expect(await told).toMatchObject({ username: null, role: null, reason: 'usersChanged' });
    expect(await refusal(operator.call('acknowledgeAlarm', { id: 1 }))).toMatch(/^not logged in/);
    expect(await refusal(admin.call('leaveKiosk', { action: 'quit' }))).toBe(
      'this station has no kiosk window (it runs in a browser)',
    );
    for (const c of [admin, engineer, operator, nobody]) c.close();
  });

  it('a damaged users file closes the station to changes, not to the live views, and says why', async () => {
    const dir = join(tmp, 'damaged');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'users.json'), '{"version":1,"users":[{"username":');
    const s = await startStation(dir, null);
    try {
      const c = await connect(s.server);
      expect(await c.call('whoAmI')).toMatchObject({ open: false, role: null });
      expect(await c.call('getSnapshot')).toHaveProperty('params');
      expect(await refusal(c.call('setParams', { confThreshold: 0.2 }))).toMatch(/^not logged in/);
      expect(await refusal(c.call('login', { username: 'ann', secret: '2468' }))).toMatch(
        /users file .* is not valid JSON/,
      );
      c.close();
    } finally {
      await s.server.close();
      await s.station.close();
    }
  }, 60_000);

  it('automatic logout after inactivity is pushed to that client', async () => {
    const s = await startStation(join(tmp, 'idle'), null, 400);
    try {
      const c = await connect(s.server);
      await c.call('createUser', { username: 'ann', role: 'administrator', kind: 'pin', secret: '2468' });
      await c.call('login', { username: 'ann', secret: '2468' });
      const idle = await c.nextSession();
      expect(idle).toMatchObject({ username: null, role: null, reason: 'idle' });
      expect(await refusal(c.call('setParams', { confThreshold: 0.2 }))).toMatch(/^not logged in/);
      c.close();
    } finally {
      await s.server.close();
      await s.station.close();
    }
  }, 60_000);
});

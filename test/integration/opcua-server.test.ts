import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  BrowseDirection,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  type ClientSession,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { StationOpcUaServer } from '../../src/main/integration/opcua/opcua-server';
import { freePort } from '../../src/main/util/net';

const tmp = mkdtempSync(join(tmpdir(), 'vs-opcua-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const result = (frameId: number, modelName = 'bolts'): FrameResult => ({
  frameId,
  captureTimeMs: 1_700_000_000_000 + frameId,
  resultTimeMs: 1_700_000_000_020 + frameId,
  widthPx: 640,
  heightPx: 480,
  detections: [
    { classId: 1, className: 'nut', score: 0.91234, box: [10, 20, 30, 60], trackId: 4 },
    { classId: 0, className: 'bolt', score: 0.5, box: [100, 100, 150, 120] },
  ],
  modelName,
  provider: 'cpu',
  timings: { preMs: 1, inferMs: 2, postMs: 3 },
});

interface ClientOptions {
  securityMode: MessageSecurityMode;
  securityPolicy: SecurityPolicy;
  pki: string;
  /** False: skip the client's own check of the endpoint list, so the server itself must refuse. */
  endpointMustExist?: boolean;
}

/** Connect a client and open a session; always disconnects when `use` ends or fails. */
async function withSession<T>(
  url: string,
  o: ClientOptions,
  use: (s: ClientSession) => Promise<T>,
): Promise<T> {
  const client = OPCUAClient.create({
    applicationName: 'vision-station-test',
    securityMode: o.securityMode,
    securityPolicy: o.securityPolicy,
    endpointMustExist: o.endpointMustExist ?? true,
    connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
    requestedSessionTimeout: 10_000,
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: o.pki,
      automaticallyAcceptUnknownCertificate: true,
    }),
  });
  try {
    await client.connect(url);
    const session = await client.createSession();
    try {
      return await use(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}

const NONE: Omit<ClientOptions, 'pki'> = {
  securityMode: MessageSecurityMode.None,
  securityPolicy: SecurityPolicy.None,
};

async function read(s: ClientSession, id: string): Promise<unknown> {
  const dv = await s.read({ nodeId: `ns=1;s=${id}`, attributeId: AttributeIds.Value });
  expect(dv.statusCode, id).toBe(StatusCodes.Good);
  const v = dv.value.value as unknown;
  // Typed arrays (Int32Array, Float64Array) compare as plain arrays.
  return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
}

describe('OPC UA server, security None (commissioning)', () => {
  let server: StationOpcUaServer;
  const switched: number[] = [];
  beforeAll(async () => {
    server = new StationOpcUaServer({
      port: await freePort(),
      host: '127.0.0.1',
      security: 'none',
      pkiDir: join(tmp, 'pki-none'),
      station: 'line1',
      cameras: ['cam1'],
      recipeSlots: [1, 2],
      switchRecipe: async (slot) => {
        switched.push(slot);
        return slot === 2
          ? { ok: true, message: 'slot 2: now running nuts' }
          : { ok: false, message: 'no model' };
      },
      log: () => undefined,
    });
    await server.start();
  });
  afterAll(async () => server?.close());

  it('browses the documented address space', async () => {
    const names = await withSession(
      server.endpointUrl,
      { ...NONE, pki: join(tmp, 'client-none') },
      async (s) => {
        const browse = async (id: string): Promise<string[]> => {
          const r = await s.browse({
            nodeId: `ns=1;s=${id}`,
            browseDirection: BrowseDirection.Forward,
            resultMask: 63,
          });
          return (r.references ?? []).map((x) => x.browseName.name!).filter((n) => n !== 'BaseObjectType');
        };
        return {
          root: await browse('VisionStation'),
          status: await browse('VisionStation.Status'),
          recipe: await browse('VisionStation.Recipe'),
          cameras: await browse('VisionStation.Cameras'),
          lastResult: await browse('VisionStation.Cameras.cam1.LastResult'),
          counters: await browse('VisionStation.Cameras.cam1.Counters'),
        };
      },
    );
    const only = (xs: string[]): string[] =>
      xs.filter((x) => !x.endsWith('Type') && x !== 'InputArguments' && x !== 'OutputArguments').sort();
    expect(only(names.root)).toEqual(['Cameras', 'Recipe', 'Status']);
    expect(only(names.status)).toEqual(['ActiveAlarms', 'Fps', 'Model', 'Online', 'StartedAt', 'Station']);
    expect(only(names.recipe)).toEqual(['ActiveModel', 'ActiveSlot', 'AvailableSlots', 'SwitchRecipe']);
    expect(only(names.cameras)).toEqual(['cam1']);
    expect(only(names.lastResult)).toEqual([
      'CaptureTime',
      'CenterXPx',
      'CenterYPx',
      'ClassIds',
      'ClassNames',
      'Count',
      'FrameId',
      'HeightPx',
      'Scores',
      'TrackIds',
      'WidthPx',
    ]);
    expect(only(names.counters)).toEqual(['ClassCounts', 'ClassNames', 'Detections', 'Frames']);
  });

  it('reads the live last result, counters and status', async () => {
    server.offer(result(7));
    server.offer(result(8));
    server.setStatus({ fps: 29.876, alarms: ['plcDown'] });
    const got = await withSession(
      server.endpointUrl,
      { ...NONE, pki: join(tmp, 'client-none') },
      async (s) => {
        const ids = [
          'Cameras.cam1.LastResult.FrameId',
          'Cameras.cam1.LastResult.Count',
          'Cameras.cam1.LastResult.ClassIds',
          'Cameras.cam1.LastResult.ClassNames',
          'Cameras.cam1.LastResult.Scores',
          'Cameras.cam1.LastResult.CenterXPx',
          'Cameras.cam1.LastResult.CenterYPx',
          'Cameras.cam1.LastResult.WidthPx',
          'Cameras.cam1.LastResult.HeightPx',
          'Cameras.cam1.LastResult.TrackIds',
          'Cameras.cam1.Counters.Frames',
          'Cameras.cam1.Counters.Detections',
          'Cameras.cam1.Counters.ClassNames',
          'Cameras.cam1.Counters.ClassCounts',
          'Status.Station',
          'Status.Fps',
          'Status.ActiveAlarms',
          'Status.Model',
        ];
        const out: Record<string, unknown> = {};
        for (const id of ids) out[id] = await read(s, `VisionStation.${id}`);
        const t = await read(s, 'VisionStation.Cameras.cam1.LastResult.CaptureTime');
        out['captureTimeMs'] = (t as Date).getTime();
        return out;
      },
    );
    expect(got).toEqual({
      'Cameras.cam1.LastResult.FrameId': 8,
      'Cameras.cam1.LastResult.Count': 2,
      'Cameras.cam1.LastResult.ClassIds': [1, 0],
      'Cameras.cam1.LastResult.ClassNames': ['nut', 'bolt'],
      'Cameras.cam1.LastResult.Scores': [0.9123, 0.5],
      'Cameras.cam1.LastResult.CenterXPx': [20, 125],
      'Cameras.cam1.LastResult.CenterYPx': [40, 110],
      'Cameras.cam1.LastResult.WidthPx': [20, 50],
      'Cameras.cam1.LastResult.HeightPx': [40, 20],
      'Cameras.cam1.LastResult.TrackIds': [4, -1],
      'Cameras.cam1.Counters.Frames': 2,
      'Cameras.cam1.Counters.Detections': 4,
      'Cameras.cam1.Counters.ClassNames': ['bolt', 'nut'],
      'Cameras.cam1.Counters.ClassCounts': [2, 2],
      'Status.Station': 'line1',
      'Status.Fps': 29.88,
      'Status.ActiveAlarms': ['plcDown'],
      'Status.Model': 'bolts',
      captureTimeMs: 1_700_000_000_008,
    });
  });

  it('switches recipe through the method; the active slot follows only a successful switch', async () => {
    const r = await withSession(server.endpointUrl, { ...NONE, pki: join(tmp, 'client-none') }, async (s) => {
      const call = async (slot: number) => {
        const res = await s.call({
          objectId: 'ns=1;s=VisionStation.Recipe',
          methodId: 'ns=1;s=VisionStation.Recipe.SwitchRecipe',
          inputArguments: [{ dataType: 'Int32', value: slot }],
        });
        return {
          status: res.statusCode.name,
          out: (res.outputArguments ?? []).map((a) => a.value as unknown),
          active: await read(s, 'VisionStation.Recipe.ActiveSlot'),
        };
      };
      return [await call(2), await call(1), await call(0)];
    });
    expect(r).toEqual([
      { status: 'Good', out: [true, 'slot 2: now running nuts'], active: 2 },
      { status: 'Good', out: [false, 'no model'], active: 2 },
      { status: 'BadInvalidArgument', out: [], active: 2 },
    ]);
    expect(switched).toEqual([2, 1]);
  });
});

describe('OPC UA server, production security', () => {
  let server: StationOpcUaServer;
  beforeAll(async () => {
    server = new StationOpcUaServer({
      port: await freePort(),
      host: '127.0.0.1',
      security: 'production',
      pkiDir: join(tmp, 'pki-prod'),
      station: 'line1',
      cameras: ['cam1'],
      recipeSlots: [],
      switchRecipe: async () => ({ ok: false, message: 'none' }),
      log: () => undefined,
    });
    await server.start();
    server.offer(result(3));
  });
  afterAll(async () => server?.close());

  it('refuses a client without security', async () => {
    const none = { ...NONE, pki: join(tmp, 'client-prod') };
    await expect(withSession(server.endpointUrl, none, async () => 'connected')).rejects.toThrow(
      'End point must exist',
    );
    // Discovery (GetEndpoints) is open to all, as OPC UA requires; every session endpoint is secured.
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    try {
      await client.connect(server.endpointUrl);
      const endpoints = await client.getEndpoints();
      const offered = endpoints.map(
        (e) => `${MessageSecurityMode[e.securityMode]} ${(e.securityPolicyUri ?? '').split('#')[1]}`,
      );
      expect(offered.sort()).toEqual([
        'Sign Aes128_Sha256_RsaOaep',
        'Sign Aes256_Sha256_RsaPss',
        'Sign Basic256Sha256',
        'SignAndEncrypt Aes128_Sha256_RsaOaep',
        'SignAndEncrypt Aes256_Sha256_RsaPss',
        'SignAndEncrypt Basic256Sha256',
      ]);
    } finally {
      await client.disconnect();
    }
  });

  it('refuses an untrusted client certificate, then serves it once an operator trusts it', async () => {
    const secure = {
      securityMode: MessageSecurityMode.SignAndEncrypt,
      securityPolicy: SecurityPolicy.Basic256Sha256,
      pki: join(tmp, 'client-prod'),
    };
    await expect(withSession(server.endpointUrl, secure, async () => 'connected')).rejects.toThrow(
      'The connection has been rejected by server: BadSecurityChecksFailed',
    );
    // The operator's step: the refused certificate waits in rejected/; trust it.
    const rejectedDir = join(tmp, 'pki-prod', 'rejected');
    const rejected = readdirSync(rejectedDir).filter((f) => f.endsWith('.pem'));
    expect(rejected).toHaveLength(1);
    const pem = readFileSync(join(rejectedDir, rejected[0]!), 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    await server.trustClientCertificate(der);

    const count = await withSession(server.endpointUrl, secure, (s) =>
      read(s, 'VisionStation.Cameras.cam1.Counters.Frames'),
    );
    expect(count).toBe(1);
    const signed = await withSession(
      server.endpointUrl,
      { ...secure, securityMode: MessageSecurityMode.Sign },
      (s) => read(s, 'VisionStation.Cameras.cam1.LastResult.FrameId'),
    );
    expect(signed).toBe(3);
  });
});

/**
 * `serve --mqtt` and `serve --opcua` on the built CLI: a real mosquitto subscriber receives the
 * retained status and the results, a node-opcua client reads the address space, and a stopped
 * station leaves its retained offline status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/util/net';
import { runCli } from '../helpers/cli';
import { Mosquitto, TestSubscriber } from '../helpers/mosquitto';
import { CLI, ROOT } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-serve-int-'));
let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** Resolves with serve's `{"listening": ...}` line; fails with its output if it exits or stays silent. */
function listening(child: ChildProcess, output: () => string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (d: Buffer): void => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      done();
      resolve((JSON.parse(line) as { listening: string }).listening);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`serve exited (${code}) before listening: ${output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`serve did not listen within ${timeoutMs} ms: ${output()}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('serve --mqtt --opcua', () => {
  it('publishes retained status and results, serves OPC UA, and leaves an offline status when stopped', async () => {
    const sub = await TestSubscriber.connect(broker.url, 'plant/srv1/#');
    const opcuaPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--port',
        '0',
        '--data-dir',
        join(tmp, 'data'),
        '--source',
        'synthetic:?size=320x240&fps=15',
        '--model',
        'classic',
        '--plc',
        'off',
        '--mqtt',
        `${broker.url}?prefix=plant&station=srv1&rate=1000`,
        '--opcua',
        String(opcuaPort),
        '--opcua-security',
        'none',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 50_000) stderr += d.toString();
    });
    let reached = false;
    try {
      await listening(child, () => stderr);
      await sub.waitFor('the retained online status and results', () => {
        const online = sub.on('/srv1/status').some((m) => (m.json as { online: boolean }).online);
        return online && sub.on('/srv1/cam1/results').length >= 3;
      });
      const status = sub.on('/srv1/status').find((m) => (m.json as { online: boolean }).online)!;
      expect(status.json).toMatchObject({
        online: true,
        station: 'srv1',
        cameras: ['cam1'],
        model: 'classic',
      });
      const result = sub.on('/srv1/cam1/results')[0]!.json as {
        model: string;
        count: number;
        detections: unknown[];
      };
      expect(result.model).toBe('classic');
      expect(result.count).toBe(result.detections.length);
      // A subscriber arriving later gets the status at once: it is retained.
      const late = await TestSubscriber.connect(broker.url, 'plant/srv1/status');
      await late.waitFor('the retained status', () => late.messages.some((m) => m.retain));
      await late.close();

      const client = OPCUAClient.create({
        applicationName: 'vision-station-test',
        securityMode: MessageSecurityMode.None,
        securityPolicy: SecurityPolicy.None,
        endpointMustExist: false,
        connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
        clientCertificateManager: new OPCUACertificateManager({
          rootFolder: join(tmp, 'client-pki'),
          automaticallyAcceptUnknownCertificate: true,
        }),
      });
      await client.connect(`opc.tcp://127.0.0.1:${opcuaPort}`);
      try {
        const s = await client.createSession();
        const model = await s.read({
          nodeId: 'ns=1;s=VisionStation.Status.Model',
          attributeId: AttributeIds.Value,
        });
        await s.close();
        expect(model.statusCode).toBe(StatusCodes.Good);
        expect(model.value.value).toBe('classic');
      } finally {
        await client.disconnect();
      }
      reached = true;
    } finally {
      child.kill('SIGTERM');
      const code = await exited(child);
      // A failure above is the news; the exit code matters once everything before it held.
      if (reached) expect(code, stderr).toBe(0);
    }
    await sub.waitFor('the offline status', () =>
      sub.on('/srv1/status').some((m) => (m.json as { reason?: string }).reason === 'stopped'),
    );
    await sub.close();
    // Starting serve and making the OPC UA certificates take long on a loaded machine.
  }, 240_000);

  it('a bad --mqtt URI is a usage error naming the parameter', async () => {
    const r = await runCli(['serve', '--data-dir', join(tmp, 'bad'), '--mqtt', `${broker.url}?rate=fast`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mqtt.*rate=fast: must be a whole number/);
  });
});

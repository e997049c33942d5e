import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
} from 'node-opcua';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/util/net';
import { CLI, ROOT } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-opcua-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Resolves when `text()` matches, failing after `timeoutMs` with `what` and the process output. */
function waitForOutput(
  child: ReturnType<typeof spawn>,
  text: () => string,
  pattern: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = text().match(pattern);
      if (!m) return;
      done();
      resolve(m);
    };
    const onExit = (): void => {
      done();
      reject(new Error(`the station exited before ${what}: ${text()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${what} within ${timeoutMs} ms: ${text()}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

describe('run --opcua', () => {
  it('serves live results and counters, and switches recipe through the method', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--source',
        'synthetic:?fps=15',
        '--model',
        'classic',
        '--json',
        '--recipe',
        '2=classic',
        '--opcua',
        String(port),
        '--opcua-security',
        'none',
        '--opcua-pki',
        join(tmp, 'pki'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const client = OPCUAClient.create({
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder: join(tmp, 'client-pki'),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    try {
      await waitForOutput(child, () => stderr, /OPC UA: listening on (\S+)/, 'OPC UA listening line');
      await waitForOutput(child, () => stdout, /"frameId":\d+/, 'first result line');
      await client.connect(`opc.tcp://127.0.0.1:${port}`);
      const session = await client.createSession();
      try {
        const read = async (id: string): Promise<unknown> =>
          (await session.read({ nodeId: `ns=1;s=VisionStation.${id}`, attributeId: AttributeIds.Value }))
            .value.value as unknown;
        const frames = (await read('Cameras.cam1.Counters.Frames')) as number;
        const frameId = (await read('Cameras.cam1.LastResult.FrameId')) as number;
        expect(frames).toBeGreaterThanOrEqual(1);
        // The result the server shows is one that run printed (now or just after the read).
        await waitForOutput(
          child,
          () => stdout,
          new RegExp(`"frameId":${frameId},`),
          `result line of frame ${frameId}`,
        );
        expect(await read('Status.Model')).toBe('classic');
        expect(Array.from((await read('Recipe.AvailableSlots')) as Int32Array)).toEqual([2]);

        const call = await session.call({
          objectId: 'ns=1;s=VisionStation.Recipe',
          methodId: 'ns=1;s=VisionStation.Recipe.SwitchRecipe',
          inputArguments: [{ dataType: 'Int32', value: 2 }],
        });
        expect(call.statusCode.name).toBe('Good');
        expect(call.outputArguments!.map((a) => a.value as unknown)).toEqual([
          true,
          'recipe slot 2: now running classic',
        ]);
        expect(await read('Recipe.ActiveSlot')).toBe(2);
        expect((await read('Cameras.cam1.Counters.Frames')) as number).toBeGreaterThanOrEqual(frames);
      } finally {
        await session.close();
      }
    } finally {
      await client.disconnect();
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  });
});

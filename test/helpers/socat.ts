/** socat pty pairs: a real serial link on one machine, for serial tests (no mocks). */
import { spawn, type ChildProcess } from 'node:child_process';
import { ReadlineParser, SerialPort } from 'serialport';

/** Starts socat and resolves with the two pty paths it reports on stderr. */
export function startSocat(linkA: string, linkB: string): Promise<{ proc: ChildProcess; ptys: string[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${linkA}`, `pty,raw,echo=0,link=${linkB}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const ptys: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`socat did not report two ptys within 5 s: ${err}`));
    }, 5000);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`socat could not start (apt-get install socat): ${e.message}`));
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      for (const m of err.matchAll(/PTY is (\S+)/g)) if (!ptys.includes(m[1]!)) ptys.push(m[1]!);
      // "starting data transfer loop" comes after both links exist.
      if (ptys.length === 2 && /starting data transfer loop/.test(err)) {
        clearTimeout(timer);
        resolve({ proc, ptys });
      }
    });
  });
}

export function stopSocat(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

export async function openReader(path: string): Promise<{ port: SerialPort; lines: string[] }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('error', () => undefined);
  const lines: string[] = [];
  port.pipe(new ReadlineParser({ delimiter: '\n' })).on('data', (l: string) => lines.push(l));
  return { port, lines };
}

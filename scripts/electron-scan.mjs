#!/usr/bin/env node
/**
 * Electron security scan (part of `npm run lint`): runs Doyensec's electronegativity over src/ and
 * fails on any finding that is not listed, with its reason, in electron-scan.accepted.mjs.
 * The Electron version is given explicitly: the scanner otherwise asks the network for releases.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCEPTED } from './electron-scan.accepted.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const cli = join(dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const csv = join(dir, 'findings.csv');
try {
  execFileSync(process.execPath, [cli, '-i', 'src', '-r', '-e', electronVersion, '-v', 'false', '-o', csv], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
  });
  const lines = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
  // issue, severity, confidence, filename, location, sample, description, url
  const findings = lines.map((l) => {
    const cells = [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, ''));
    return { check: cells[0], severity: cells[1], file: cells[3], location: cells[4], sample: cells[5] };
  });
  const unexplained = findings.filter(
    (f) =>
      !ACCEPTED.some((a) => a.check === f.check && a.file === f.file && f.sample.includes(a.sampleIncludes)),
  );
  for (const f of findings) {
    const ok = !unexplained.includes(f);
    console.log(`${ok ? 'accepted ' : 'FINDING  '} ${f.check} ${f.severity} ${f.file}:${f.location}`);
  }
  if (unexplained.length) {
    console.error(
      `electronegativity: ${unexplained.length} finding(s) neither fixed nor justified in scripts/electron-scan.accepted.mjs`,
    );
    process.exitCode = 1;
  } else {
    console.log(`electronegativity ${electronVersion}: ${findings.length} finding(s), all explained`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

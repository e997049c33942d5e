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
// SARIF, not CSV: the scanner writes the CSV header and rows with two concurrent async writes, so
// the header can land over the first row.
const sarif = join(dir, 'findings.sarif');
try {
  execFileSync(
    process.execPath,
    [cli, '-i', 'src', '-r', '-e', electronVersion, '-v', 'false', '-o', sarif],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
    },
  );
  const results = JSON.parse(readFileSync(sarif, 'utf8')).runs[0].results;
  // The code a finding points at, read from the file (SARIF gives its place, not its text).
  const sampleAt = (file, region) => {
    const lines = readFileSync(join(root, 'src', file), 'utf8').split('\n');
    const at = lines.slice(0, region.startLine - 1).join('\n').length + (region.startLine > 1 ? 1 : 0);
    const text = lines.join('\n');
    return text.slice(at + region.startColumn - 1, at + region.startColumn - 1 + region.charLength);
  };
  const findings = results.map((r) => {
    const loc = r.locations[0].physicalLocation;
    const file = loc.artifactLocation.uri;
    return {
      check: r.ruleId,
      severity: r.level,
      file,
      location: `${loc.region.startLine}:${loc.region.startColumn}`,
      sample: file === 'file:///' ? '' : sampleAt(file, loc.region),
    };
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

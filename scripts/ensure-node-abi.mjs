#!/usr/bin/env node
// node-snap7 is a NAN addon: built for one runtime ABI at a time. `npm start` rebuilds it for
// Electron; the command line and the tests need it built for Node. This checks, and rebuilds only
// when the installed build is for another ABI (cheap when nothing is to do).
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require('node-snap7');
} catch (e) {
  if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(String(e))) throw e;
  console.error('node-snap7 is built for another runtime (Electron?); rebuilding it for Node ...');
  execSync('npm rebuild node-snap7', { stdio: 'inherit' });
}

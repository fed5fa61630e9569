// Builds the server, worker and CLI (src/**/*.ts without tests) into build/ as plain JavaScript,
// one file per module (esbuild, no bundling), with src/db/migrations copied beside them, so
// production runs `node build/main.js` instead of compiling TypeScript on every start (tsx).
// build/ mirrors src/ at the same depth, so paths relative to a module (../web/dist) still hold.
// Skips the work when build/ is newer than every file under src/ (pass --force to rebuild).
// `node scripts/build-server.mjs [--force] [--quiet]`, or `buildServer()` from scripts/start.mjs.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const out = path.join(root, 'build');
const stamp = path.join(out, '.built');

/** The modules to build, the plain JavaScript assets to copy, and the newest modification time under src/. */
function sources() {
  const files = [];
  // Plain JavaScript modules (e.g. the XLSX reader's worker thread) are copied as they are.
  const assets = [];
  let newest = 0;
  (function walk(dir) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        newest = Math.max(newest, statSync(p).mtimeMs);
        if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) files.push(p);
        else if (/\.(mjs|cjs|js)$/.test(p) && !/\.test\./.test(p)) assets.push(p);
      }
    }
  })(src);
  return { files, assets, newest };
}

/** True when build/ is older than some file under src/ (or missing). */
export function serverBuildNeeded() {
  return !existsSync(stamp) || Number(readFileSync(stamp, 'utf8')) < sources().newest;
}

/** Builds build/ unless it is newer than every file under src/; true when it built. */
export async function buildServer({ force = false, quiet = false } = {}) {
  const { files, assets, newest } = sources();
  if (!force && existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= newest) return false;

  const started = Date.now();
  // esbuild comes with tsx and vite (both dependencies).
  const { build, stop } = await import('esbuild');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  try {
    await build({ entryPoints: files, outdir: out, outbase: src, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'warning' });
  } finally {
    await stop(); // esbuild's service process would otherwise live on beside the server (80 MB)
  }
  for (const a of assets) cpSync(a, path.join(out, path.relative(src, a)));
  cpSync(path.join(src, 'db/migrations'), path.join(out, 'db/migrations'), { recursive: true });
  writeFileSync(stamp, String(newest));
  if (!quiet) process.stderr.write(`Built the server into build/ (${files.length} modules, ${Date.now() - started} ms)\n`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer({ force: process.argv.includes('--force'), quiet: process.argv.includes('--quiet') });
}

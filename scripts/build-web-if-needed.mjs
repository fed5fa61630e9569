// Builds the web app when web/dist is missing or older than any web source file.
// `node scripts/build-web-if-needed.mjs`, or `buildWebIfNeeded()` from scripts/start.mjs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'web/dist/index.html');
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'dist' || e.name === 'e2e' || e.name === 'node_modules') continue;
      t = Math.max(t, newest(p));
    } else t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** True when it built. */
export function buildWebIfNeeded() {
  if (!existsSync(path.join(root, 'web/index.html'))) return false;
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(path.join(root, 'web'))) return false;
  process.stderr.write('Building the web app…\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildWebIfNeeded();

// `npm start` builds the web app when web/dist is missing or older than any web source file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
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
if (!existsSync(path.join(root, 'web/index.html'))) process.exit(0);
if (existsSync(dist) && statSync(dist).mtimeMs >= newest(path.join(root, 'web'))) process.exit(0);
process.stderr.write('Building the web app…\n');
execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });

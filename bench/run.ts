// `npm run bench`: runs every bench/*.bench.ts in turn, each in its own process, and exits non-zero
// if any failed. Each bench prints its figures and writes bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const tsx = path.resolve(dir, '../node_modules/.bin/tsx');
const failed: string[] = [];
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const started = Date.now();
  const res = spawnSync(tsx, [path.join(dir, file)], { stdio: 'inherit', cwd: path.resolve(dir, '..') });
  process.stdout.write(`=== ${file}: ${res.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`);
  if (res.status !== 0) failed.push(file);
}
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exit(1);
}

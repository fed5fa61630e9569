// Records every migration file with its SHA-256 in src/db/migrations/landed.json, so that
// test/migrations.test.ts fails if a landed migration is ever edited. Run it when migrations land.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../src/db/migrations');
const landedPath = path.join(dir, 'landed.json');
const landed = JSON.parse(readFileSync(landedPath, 'utf8'));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
  const sha = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
  if (landed[file] && landed[file] !== sha) {
    console.error(`${file} changed after it landed; add a new migration instead`);
    process.exit(1);
  }
  landed[file] = sha;
}
writeFileSync(landedPath, JSON.stringify(landed, null, 2) + '\n');
console.log(`${Object.keys(landed).length} migrations recorded as landed`);

// Generates a migration from the schema (*.tables.ts) with drizzle-kit, one run at a time.
// Usage: npm run db:generate -- <name>. Landed migrations are never edited (see test/migrations.test.ts).
import { execFileSync } from 'node:child_process';
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:generate -- <snake_case_name>');
  process.exit(2);
}
execFileSync('flock', ['/tmp/threshold-drizzle-generate.lock', 'npx', 'drizzle-kit', 'generate', '--name', name], { stdio: 'inherit' });

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { defineCommand, type CliContext } from '../command.js';

/** Backup and restore move the embedded (PGlite) database folder; PostgreSQL has its own tools. */
export function assertEmbedded(ctx: CliContext, what: string) {
  if (ctx.config.database.kind === 'postgres') {
    throw new AppError(
      400,
      'use_pg_dump',
      `db ${what} works on the embedded database only: with DATABASE_URL set, use pg_dump/pg_restore (e.g. pg_dump -Fc "$DATABASE_URL" > threshold.dump)`,
    );
  }
}

export const dbBackup = defineCommand({
  name: 'db backup',
  summary: 'Write the embedded database to a file (a gzipped tar); keep DATA_DIR/secret.key with it',
  options: { to: { type: 'string' }, force: { type: 'boolean' } },
  args: z.object({ to: z.string().min(1), force: z.boolean().default(false) }),
  async run(ctx, args) {
    assertEmbedded(ctx, 'backup');
    const file = path.resolve(args.to);
    if (existsSync(file) && !args.force) {
      throw new AppError(409, 'file_exists', `${file} exists; pass --force to overwrite it`);
    }
    const database = await ctx.database();
    ctx.progress(`Backing up ${ctx.config.database.kind === 'pglite' ? ctx.config.database.dataDir : ''}…`);
    const dump = await database.pglite!.dumpDataDir('gzip');
    const bytes = Buffer.from(await dump.arrayBuffer());
    writeFileSync(file, bytes, { mode: 0o600 });
    ctx.progress(`Wrote ${file}. Secrets stored encrypted need ${path.join(ctx.config.dataDir, 'secret.key')} (or SECRET_KEY): keep a copy of it too.`);
    return { backup: file, bytes: bytes.length };
  },
});

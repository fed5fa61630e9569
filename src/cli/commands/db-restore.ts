import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { acquireDataDirLock, openDatabase } from '../../platform/db/database.js';
import { defineCommand } from '../command.js';
import { assertEmbedded } from './db-backup.js';

export const dbRestore = defineCommand({
  name: 'db restore',
  summary: 'Load a backup into the embedded database folder (which must be empty, unless --force)',
  options: { from: { type: 'string' }, force: { type: 'boolean' } },
  args: z.object({ from: z.string().min(1), force: z.boolean().default(false) }),
  async run(ctx, args) {
    assertEmbedded(ctx, 'restore');
    if (ctx.config.database.kind !== 'pglite') throw new Error('unreachable');
    const target = ctx.config.database.dataDir;
    const file = path.resolve(args.from);
    if (!existsSync(file)) throw new AppError(400, 'file_not_found', `No backup at ${file}`);
    const release = acquireDataDirLock(ctx.config.dataDir);
    try {
      const occupied = existsSync(target) && readdirSync(target).length > 0;
      if (occupied && !args.force) {
        throw new AppError(409, 'restore_target_not_empty', `${target} already holds a database; pass --force to replace it`);
      }
      // Load into a sibling folder first, so a bad file leaves the current database untouched.
      const staging = `${target}.restoring-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      const bytes = readFileSync(file);
      const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const blob = new Blob([bytes], { type: gzipped ? 'application/x-gzip' : 'application/x-tar' });
      try {
        const database = await openDatabase({ kind: 'pglite', dataDir: staging, loadDataDir: blob, lock: false });
        try {
          await database.query('SELECT 1');
        } finally {
          await database.close();
        }
      } catch (err) {
        rmSync(staging, { recursive: true, force: true });
        throw new AppError(400, 'invalid_backup', `${file} is not a database backup that can be loaded: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (occupied) ctx.progress(`Replacing the database in ${target}…`);
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      ctx.progress(`Restored ${file} into ${target}. Run "db migrate" if the backup is from an older version.`);
      return { restored: target };
    } finally {
      release();
    }
  },
});

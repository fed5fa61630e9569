import { z } from 'zod';
import { journalEntryCount, runMigrations } from '../../platform/db/migrate.js';
import { installJobSchema } from '../../platform/jobs/pgboss.js';
import { defineCommand } from '../command.js';

export const dbMigrate = defineCommand({
  name: 'db migrate',
  summary: 'Apply pending migrations and install the job queue’s tables',
  options: {},
  args: z.object({}),
  async run(ctx) {
    const database = await ctx.database();
    ctx.progress(`Migrating the ${database.kind === 'pglite' ? `embedded database in ${ctx.config.dataDir}` : 'PostgreSQL database'}…`);
    await runMigrations(database);
    await installJobSchema(database, ctx.log);
    ctx.progress('Done.');
    return { migrated: true, migrations: journalEntryCount() };
  },
});

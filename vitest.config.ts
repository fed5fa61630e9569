import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (no database), `db-pglite` and `db-postgres` (the same *.db.test.ts files once
 * per database, at most 2 workers), `serial` (browser and whole-server tests, one file at a time).
 * Without TEST_DATABASE_URL the PostgreSQL project is skipped loudly (REQUIRE_ALL=1 fails instead).
 */
const hasPg = Boolean(process.env.TEST_DATABASE_URL);
if (!hasPg) {
  const msg = 'TEST_DATABASE_URL is not set: the PostgreSQL run of the db tests is SKIPPED.';
  if (process.env.REQUIRE_ALL === '1') throw new Error(`${msg} REQUIRE_ALL=1 forbids skipping.`);
  console.warn(`\n\x1b[33m!!! ${msg}\x1b[0m\n`);
}

const dbTests = ['src/**/*.db.test.ts', 'test/**/*.db.test.ts', 'web/src/**/*.db.test.ts'];
const exclude = ['**/node_modules/**', 'web/dist/**', 'data/**', 'build/**'];

export default defineConfig({
  test: {
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: [...exclude, ...dbTests, '**/*.serial.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true as const,
        test: {
          name: 'db-pglite',
          include: dbTests,
          exclude,
          env: { TEST_DB: 'pglite' },
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      ...(hasPg
        ? [
            {
              extends: true as const,
              test: {
                name: 'db-postgres',
                include: dbTests,
                exclude,
                env: { TEST_DB: 'postgres' },
                globalSetup: ['test/global-setup.ts'],
                maxWorkers: 2,
                sequence: { groupOrder: 0 },
              },
            },
          ]
        : []),
      {
        extends: true as const,
        test: {
          name: 'serial',
          include: ['src/**/*.serial.test.ts', 'test/**/*.serial.test.ts', 'web/e2e/**/*.serial.test.ts'],
          exclude,
          env: { TEST_DB: 'pglite' },
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          maxWorkers: 1,
          // Runs after the parallel projects, alone (browser and whole-server tests).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

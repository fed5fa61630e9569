import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { makeGroup } from '../../../test/signin-factories.js';
import { connectionConfig, SESSION_SETTINGS } from './database.js';

// A server whose database says otherwise than the drivers read: dates as `06/12/2026`, intervals
// in SQL form, a day counted in New York. On PGlite the settings are its start parameters.
const ODD = { DateStyle: 'SQL, DMY', IntervalStyle: 'sql_standard', TimeZone: 'America/New_York' };
const env = useTestEnv({ databaseDefaults: ODD });

describe('session settings', () => {
  it('every session runs with ISO dates, postgres intervals and UTC, whatever the database says', async () => {
    const { rows } = await env.platform.database.query<{ d: string; i: string; t: string }>(
      `select current_setting('DateStyle') d, current_setting('IntervalStyle') i, current_setting('TimeZone') t`,
    );
    expect(rows[0]).toEqual({ d: 'ISO, MDY', i: 'postgres', t: 'UTC' });
    expect(SESSION_SETTINGS.map(([k]) => k)).toEqual(['DateStyle', 'IntervalStyle', 'TimeZone']);
    if (env.platform.database.kind === 'postgres') {
      // The database really does say otherwise: a connection without the options sees its defaults.
      const raw = new pg.Client({ connectionString: env.platform.database.pool!.options.connectionString });
      await raw.connect();
      try {
        expect((await raw.query(`select current_setting('DateStyle') d`)).rows[0].d).toBe('SQL, DMY');
      } finally {
        await raw.end();
      }
    }
  });

  it("a member's dates and timestamps read back as written, on the page and alone", async () => {
    const t = await createTestTenant(env);
    const g = await makeGroup(env, t);
    const before = Date.now();
    const created = await call(env.app, 'POST', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers, body: { fullName: 'Ada Lovelace', startDate: '2026-01-31', endDate: '2026-12-06' } });
    expect(created.status).toBe(201);
    const alone = await call(env.app, 'GET', `/api/signin/members/${created.body.id}`, { headers: t.owner.headers });
    expect(alone.status).toBe(200);
    expect(alone.body).toMatchObject({ startDate: '2026-01-31', endDate: '2026-12-06', createdAt: created.body.createdAt });
    expect(Date.parse(alone.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(alone.body.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
    const page = await call(env.app, 'GET', `/api/signin/groups/${g.id}/members`, { headers: t.owner.headers });
    expect(page.body.items[0]).toEqual(alone.body);
  });

  it("keeps the URL's own start-up options, or PGOPTIONS, and puts the settings after them", () => {
    expect(connectionConfig('postgres://u@h:5432/db')).toEqual({ connectionString: 'postgres://u@h:5432/db', options: '-c DateStyle=ISO,MDY -c IntervalStyle=postgres -c TimeZone=UTC' });
    const own = connectionConfig('postgres://u@h:5432/db?sslmode=disable&options=-c%20search_path%3Dthreshold');
    expect(own.connectionString).toBe('postgres://u@h:5432/db?sslmode=disable');
    expect(own.options).toBe('-c search_path=threshold -c DateStyle=ISO,MDY -c IntervalStyle=postgres -c TimeZone=UTC');
    // PGOPTIONS (which pg reads only when no options are given) is kept too; the URL's own win over it.
    const env = { PGOPTIONS: '-c statement_timeout=4321' };
    expect(connectionConfig('postgres://u@h:5432/db', env).options).toBe('-c statement_timeout=4321 -c DateStyle=ISO,MDY -c IntervalStyle=postgres -c TimeZone=UTC');
    expect(connectionConfig('postgres://u@h:5432/db?options=-c%20search_path%3Dt', env).options).toBe('-c search_path=t -c DateStyle=ISO,MDY -c IntervalStyle=postgres -c TimeZone=UTC');
  });
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { scimFixture } from './fixtures/setup.js';

/**
 * Okta's public "SCIM 2.0 SPEC Test" (as a Postman collection, kept beside the repository in
 * ../shared/scim/, never copied in) run by newman against the real server on 127.0.0.1.
 */
const COLLECTION = path.resolve(process.cwd(), '../shared/scim/okta-scim20-spec.postman_collection.json');
const present = existsSync(COLLECTION);
if (!present) {
  const msg = `The Okta SCIM spec collection is not at ${COLLECTION}: the newman conformance test is SKIPPED.`;
  if (process.env.REQUIRE_ALL === '1') throw new Error(`${msg} REQUIRE_ALL=1 forbids skipping.`);
  console.warn(`\n\x1b[33m${'!'.repeat(100)}\n!!! ${msg}\n${'!'.repeat(100)}\x1b[0m\n`);
}

type Assertion = { assertion: string; error?: { message: string } };
type Execution = { item: { name: string }; assertions?: Assertion[] };
type Summary = { run: { executions: Execution[]; failures: unknown[] } };
type Newman = { run(options: Record<string, unknown>, cb: (err: Error | null, summary: Summary) => void): unknown };

const env = useTestEnv();

describe.skipIf(!present)('Okta SCIM 2.0 SPEC Test (newman)', () => {
  it('passes all 53 assertions against the server on 127.0.0.1', { timeout: 120_000 }, async () => {
    const f = await scimFixture(env);
    const seeded = await f.scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'existing.user@example.com',
      name: { givenName: 'Existing', familyName: 'User' },
      emails: [{ value: 'existing.user@example.com', type: 'work', primary: true }],
      active: true,
    });
    expect(seeded.status).toBe(201);

    await env.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = env.app.server.address() as AddressInfo;
    const newman = (await import('newman')).default as unknown as Newman;
    const summary = await new Promise<Summary>((resolve, reject) => {
      newman.run(
        {
          collection: COLLECTION,
          reporters: [],
          envVar: [
            { key: 'SCIMBaseURL', value: `http://127.0.0.1:${port}${f.base}` },
            { key: 'auth', value: `Bearer ${f.token}` },
          ],
        },
        (err, s) => (err ? reject(err) : resolve(s)),
      );
    });
    const assertions = summary.run.executions.flatMap((e) => (e.assertions ?? []).map((a) => ({ item: e.item.name, ...a })));
    const failed = assertions.filter((a) => a.error).map((a) => `${a.item}: ${a.assertion}: ${a.error!.message}`);
    expect(failed).toEqual([]);
    expect(assertions).toHaveLength(53);
  });
});

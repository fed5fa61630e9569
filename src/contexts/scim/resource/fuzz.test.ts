import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PgDialect } from 'drizzle-orm/pg-core';
import { AppError } from '../../../platform/errors.js';
import { compileFilter } from './filter.js';
import { applyPatch, parsePatchBody } from './patch.js';
import { canonicalDoc } from './canonical.js';
import { userFilterWhitelist } from '../users/users.filter.js';
import { groupFilterWhitelist } from '../groups/groups.service.js';
import { columnsFromDoc } from '../users/users.repo.js';
import { groupResource, userResource } from '../scim.schema.js';
import { project } from './projection.js';
import { anyFilter, FUZZ_SEED, fuzzRuns, patchBody, resourceBody } from '../fixtures/fuzz.js';

/**
 * Property-based fuzzing of the SCIM filter parser and the PATCH engine (issue 12): whatever comes
 * in, the answer is a value or a SCIM 4xx AppError, never another exception (a 500). Seeded
 * (FUZZ_SEED), FUZZ_RUNS goes deeper.
 */
const dialect = new PgDialect({ casing: 'snake_case' });

/** Runs `fn`; an AppError must be a 4xx with a scimType, anything else thrown fails the property. */
function clientErrorOrValue<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    return undefined;
  }
}

const options = (runs: number) => ({ seed: FUZZ_SEED, numRuns: fuzzRuns(runs) });

describe('SCIM fuzz: filter parser and PATCH engine', () => {
  it('compiles any filter to SQL or a 400 invalidFilter, for Users and Groups', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(anyFilter, (text) => {
        for (const wl of [userFilterWhitelist, groupFilterWhitelist]) {
          let code: string | undefined;
          try {
            const q = dialect.sqlToQuery(compileFilter(text, wl));
            expect(typeof q.sql).toBe('string');
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            code = err.details.extra?.scimType as string | undefined;
            expect(err.status).toBe(400);
            expect(code).toBe('invalidFilter');
          }
        }
      }),
      options(1000),
    );
  });

  it('applies any PATCH body to a user or a group, or refuses it with a 4xx', { timeout: 120_000 }, () => {
    const user = canonicalDoc(userResource, {
      userName: 'ann@example.com',
      name: { givenName: 'Ann', familyName: 'Archer' },
      emails: [{ value: 'ann@work.example', type: 'work', primary: true }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Maths', manager: { value: 'm1' } },
    });
    const group = canonicalDoc(groupResource, { displayName: 'Staff', members: [{ value: '00000000-0000-4000-8000-000000000001' }] });
    fc.assert(
      fc.property(patchBody, (body) => {
        const ops = clientErrorOrValue(() => parsePatchBody(body));
        if (!ops) return;
        const u = clientErrorOrValue(() => applyPatch(userResource, user, ops));
        if (u) columnsFromDoc(u);
        clientErrorOrValue(() => applyPatch(groupResource, group, ops));
      }),
      options(1000),
    );
  });

  it('reads any POST/PUT body into a document or refuses it with a 4xx', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(resourceBody, (body) => {
        const doc = clientErrorOrValue(() => canonicalDoc(userResource, body));
        if (doc) columnsFromDoc(doc);
        clientErrorOrValue(() => canonicalDoc(groupResource, body));
      }),
      options(1000),
    );
  });

  it('projects a resource with any attributes / excludedAttributes without throwing, always keeping id and schemas', { timeout: 120_000 }, () => {
    const resource = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'x', userName: 'u', emails: [{ value: 'a', type: 'work' }], name: { givenName: 'A' } };
    fc.assert(
      fc.property(fc.array(fc.oneof(anyFilter, fc.constantFrom('emails[type eq "work"]', 'name.givenName', 'id', 'schemas')), { maxLength: 3 }), fc.boolean(), (paths, exclude) => {
        const out = exclude ? project(resource, [], paths) : project(resource, paths, []);
        expect(out.id).toBe('x');
        expect(out.schemas).toEqual(resource.schemas);
      }),
      options(1000),
    );
  });
});

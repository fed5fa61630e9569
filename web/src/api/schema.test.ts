import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, apiTypesSource } from '../../../scripts/api-types';

describe('web/src/api/schema.d.ts', () => {
  it('matches the route schemas (if not, run `npm run gen:api` and commit the result)', async () => {
    const fresh = await apiTypesSource();
    const stored = readFileSync(SCHEMA_FILE, 'utf8');
    expect(fresh).toContain('"/api/api-keys"');
    expect(stored === fresh, 'web/src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  }, 180_000);
});

import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The `no-restricted-imports` errors ESLint reports for `code` as if it were the file at `file`. */
async function wallErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the walls between contexts (eslint.boundaries.js, run by npm run lint)', () => {
  it.each([
    ['another context’s internals', 'src/contexts/integration/sync/x.ts', "import { recordProfiles } from '../../record/record.tables.js';\nexport const t = recordProfiles;\n"],
    ['another context’s internals, through contexts/', 'src/contexts/signin/x.ts', "import { rules } from '../../contexts/record/rules/conditions.js';\nexport const r = rules;\n"],
    ['another context’s non-table module from a tables file', 'src/contexts/integration/integration.tables.ts', "import type { ConditionGroup } from '../record/rules/conditions.js';\nexport type G = ConditionGroup;\n"],
    ['another context’s service from a test', 'src/contexts/scim/users/x.test.ts', "import { createMembersService } from '../../signin/members/members.service.js';\nexport const s = createMembersService;\n"],
    ['the platform importing a context', 'src/platform/notifications/x.ts', "import { users } from '../../contexts/accounts/accounts.tables.js';\nexport const u = users;\n"],
    ['the platform importing a context’s index', 'src/platform/x.ts', "import { createScim } from '../contexts/scim/index.js';\nexport const s = createScim;\n"],
    ['the web app importing the server', 'web/src/offline/x.ts', "import { normaliseName } from '../../../src/contexts/signin/safety/normalise';\nexport const n = normaliseName;\n"],
    ['the web app importing the platform', 'web/src/x.ts', "import { AppError } from '../../src/platform/errors';\nexport const e = AppError;\n"],
  ])('forbids %s', async (_what, file, code) => {
    expect(await wallErrors(file, code)).toHaveLength(1);
  });

  it.each([
    ['another context’s index.ts', 'src/contexts/integration/sync/x.ts', "import type { RecordPort } from '../../record/index.js';\nexport type P = RecordPort;\n"],
    ['one’s own internals, even in a folder named like another context', 'src/contexts/integration/x/y.ts', "import { a } from '../record/a.js';\nimport { b } from '../../integration/integration.repo.js';\nexport const c = [a, b];\n"],
    ['another context’s table from a tables file (a foreign key)', 'src/contexts/integration/integration.tables.ts', "import { members } from '../signin/signin.tables.js';\nexport const m = members;\n"],
    ['another context’s table from a test (to arrange rows)', 'src/contexts/scim/users/x.test.ts', "import { members } from '../../signin/signin.tables.js';\nexport const m = members;\n"],
    ['a context’s table from a platform tables file (a foreign key)', 'src/platform/audit/audit.tables.ts', "import { tenants } from '../../contexts/accounts/accounts.tables.js';\nexport const t = tenants;\n"],
    ['src/common from the web app', 'web/src/offline/x.ts', "import { normaliseName } from '../../../src/common/normalise';\nexport const n = normaliseName;\n"],
    ['the whole app from the composition root and app level', 'src/contexts/x.ts', "import { createRecordPort } from './record/port.js';\nexport const p = createRecordPort;\n"],
  ])('allows %s', async (_what, file, code) => {
    expect(await wallErrors(file, code)).toEqual([]);
  });
});

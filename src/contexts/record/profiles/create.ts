import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { orgAccessOf } from '../access.js';
import { loadModel } from '../record.repo.js';
import { todayIn } from '../rules/dates.js';
import { prepare } from '../engine.js';
import { profilesRepo } from './profiles.repo.js';
import { historyActorOf, historyOfNew } from './profile-writer.js';
import { applyValues } from './check-values.js';
import { applyFacts, assertTypeAndOrg, factsOfNew, validateProfileDates, validateValues } from './validation.js';
import type { ProfileReads } from './read.js';
import type { ProfileCreateInput } from './profiles.schemas.js';
import type { ProfilesDeps } from './profiles.service.js';

/** Creating a profile: validated like an edit, its first history lines written by the profile writer. */
export function createProfileCreation(deps: ProfilesDeps, reads: Pick<ProfileReads, 'present'>) {
  const { db, now } = deps;
  const { present } = reads;
  const today = () => todayIn(now());

  async function create(principal: Principal, actor: Actor, input: ProfileCreateInput, tx: DbOrTx = db, opts: { audit?: boolean } = {}) {
    const access = orgAccessOf(principal);
    const day = today();
    return inTransaction(tx, async (t) => {
      const m = prepare(await loadModel(t, principal.tenantId));
      assertTypeAndOrg(m, access, input.organisationId, input.profileTypeId);
      validateProfileDates(input, day);
      const changes = validateValues(m, input.organisationId, input.checks, day);
      const facts = factsOfNew(m, input);
      const at = now();
      const { checks: _checks, facts: _facts, ...fields } = input;
      const row = await profilesRepo.insert(t, { tenantId: principal.tenantId, ...fields, facts, email: fields.email ?? '', phone: fields.phone ?? '', role: fields.role ?? '', createdAt: at, updatedAt: at });
      const diffs = await applyValues(t, m, principal.tenantId, row!, new Map(), changes, actor, at, day);
      const factLines = applyFacts(m, {}, facts).diffs;
      await historyOfNew(t, principal.tenantId, row!, [{ field: 'Profile', before: null, after: `Created: ${row!.firstName} ${row!.lastName}` }, ...factLines, ...diffs], historyActorOf(actor), at);
      if (opts.audit !== false) await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.created', targetType: 'record_profile', targetId: row!.id, summary: `Profile ${row!.firstName} ${row!.lastName} created` });
      return present(t, m, row!);
    });
  }

  return { create };
}

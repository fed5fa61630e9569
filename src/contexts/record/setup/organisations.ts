import type { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { canonicalTimezone } from '../../../platform/zoned-clock.js';
import { assertLevel, assertTrustAdmin, levelAt, orgAccessOf, visibleOrgs } from '../access.js';
import { loadModel } from '../record.repo.js';
import { ensureSeeded } from './keys.js';
import { setupRepo } from './setup.repo.js';
import type { organisationCreateSchema, organisationPatchSchema } from './setup.schemas.js';

/** Organisations (schools): the ones the caller reaches, with their level there; add, change, delete an unused one. */
export function createOrganisationsSetup({ db }: Pick<Platform, 'db'>) {
  async function listOrganisations(p: Principal) {
    const access = orgAccessOf(p);
    const visible = visibleOrgs(access);
    const model = await loadModel(db, p.tenantId);
    return [...model.organisations.values()]
      .filter((o) => visible === null || visible.includes(o.id))
      .map((o) => ({ ...o, access: levelAt(access, o.id)! }));
  }

  async function getOrganisation(p: Principal, id: string) {
    const access = orgAccessOf(p);
    const org = await setupRepo.organisation(db, p.tenantId, id);
    if (!org) throw notFound('Organisation');
    assertLevel(access, org.id, 'view', 'Organisation');
    return { ...org, access: levelAt(access, org.id)! };
  }

  /** The first organisation of a tenant seeds its record with the built-in KCSIE set. */
  async function createOrganisation(p: Principal, actor: Actor, input: Omit<z.output<typeof organisationCreateSchema>, 'timeZone'> & { timeZone?: string }, tx: DbOrTx = db) {
    assertTrustAdmin(p);
    // Spelled as the zone list spells it (`europe/london` → `Europe/London`), as sites' zones are.
    if (input.timeZone !== undefined) input = { ...input, timeZone: canonicalTimezone(input.timeZone) };
    return inTransaction(tx, async (t) => {
      await ensureSeeded(t, p.tenantId);
      const org = await setupRepo.insertOrganisation(t, p.tenantId, input);
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.created', targetType: 'record_organisation', targetId: org.id, summary: `Organisation ${org.name} created`, data: input });
      return { ...org, access: 'administer' as const };
    });
  }

  async function updateOrganisation(p: Principal, actor: Actor, id: string, patch: z.output<typeof organisationPatchSchema>) {
    const access = orgAccessOf(p);
    if (patch.timeZone !== undefined) patch = { ...patch, timeZone: canonicalTimezone(patch.timeZone) };
    return inTransaction(db, async (t) => {
      const org = await setupRepo.organisation(t, p.tenantId, id);
      if (!org) throw notFound('Organisation');
      assertLevel(access, org.id, 'administer', 'Organisation');
      // How long leavers' records are kept is the trust's data-protection decision, not a school's.
      if (patch.retentionYears !== undefined && patch.retentionYears !== org.retentionYears) assertTrustAdmin(p);
      const row = await setupRepo.updateOrganisation(t, p.tenantId, id, patch);
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.updated', targetType: 'record_organisation', targetId: id, summary: `Organisation ${row.name} updated`, data: { before: { name: org.name, type: org.type, retentionYears: org.retentionYears, timeZone: org.timeZone }, patch } });
      return { ...row, access: levelAt(access, id)! };
    });
  }

  async function deleteOrganisation(p: Principal, actor: Actor, id: string) {
    const access = orgAccessOf(p);
    return inTransaction(db, async (t) => {
      const org = await setupRepo.organisation(t, p.tenantId, id);
      if (!org) throw notFound('Organisation');
      assertLevel(access, org.id, 'view', 'Organisation');
      assertTrustAdmin(p);
      const profiles = await setupRepo.profilesUsing(t, p.tenantId, 'organisation', id);
      if (profiles > 0) {
        throw conflict('organisation_in_use', `${org.name} is in use: ${profiles} profile${profiles === 1 ? '' : 's'} belong to it. Move or erase them first.`, { usedBy: { profiles } });
      }
      await setupRepo.deleteOrganisation(t, p.tenantId, id);
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.deleted', targetType: 'record_organisation', targetId: id, summary: `Organisation ${org.name} deleted` });
    });
  }

  return { listOrganisations, getOrganisation, createOrganisation, updateOrganisation, deleteOrganisation };
}

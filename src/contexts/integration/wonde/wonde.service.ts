import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { isUniqueViolation } from '../../../platform/db/sqlstate.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { decryptSecret, encryptSecret } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { wondeRepo } from './wonde.repo.js';
import { presentConnection } from './wonde.presenters.js';
import { integrationRepo } from '../integration.repo.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';
import { todayIn, type RecordPort } from '../../record/index.js';
import { DuplicateIndex } from '../people/person.js';
import type { RunHandler, Runs } from '../runs/runs.js';
import { createWondeClient, WondeError, type WondeClientOptions } from './wonde.client.js';
import { mapWondeEmployee, wondeFieldMappingSchema, type WondeFieldMapping, type WondePerson } from './wonde.mapper.js';
import type { WondeDeletion, WondeEmployee } from './wonde.types.js';

export type WondeConnectionInput = { schoolId: string; token?: string; authMode?: 'bearer' | 'basic'; enabled?: boolean; mapping?: Partial<WondeFieldMapping> };

/**
 * The Wonde connection of an organisation: settings (token encrypted), and the sync run. A run
 * reads every page first (employees changed since the last successful run, and deletions), so a
 * failure on any page writes nothing; then it matches people by UPI (then by email or name and
 * date of birth, which picks up pre-start profiles made by hand) and writes in batches.
 */
export function createWondeService(deps: Pick<Platform, 'db' | 'now' | 'jobs' | 'config'> & { runs: Runs; record: RecordPort; clientOptions?: Partial<WondeClientOptions>; onProfilesChanged?: (tx: DbOrTx, tenantId: string, profileIds: string[]) => Promise<void> }) {
  const { db, now, runs, config, record } = deps;

  const connection = (tenantId: string, organisationId: string, tx: DbOrTx = db) => wondeRepo.connection(tx, tenantId, organisationId);

  async function get(tenantId: string, organisationId: string) {
    if (!(await record.organisation(db, tenantId, organisationId))) throw notFound('Organisation');
    const c = await connection(tenantId, organisationId);
    return c ? presentConnection(c) : null;
  }

  async function save(tenantId: string, organisationId: string, input: WondeConnectionInput, actor: Actor) {
    try {
      return await saveOnce(tenantId, organisationId, input, actor);
    } catch (err) {
      // Another request set the connection up at the same moment: change the one it made.
      if (isUniqueViolation(err)) return saveOnce(tenantId, organisationId, input, actor);
      throw err;
    }
  }

  async function saveOnce(tenantId: string, organisationId: string, input: WondeConnectionInput, actor: Actor) {
    return inTransaction(db, async (tx) => {
      if (!(await record.organisation(tx, tenantId, organisationId))) throw notFound('Organisation');
      const existing = await connection(tenantId, organisationId, tx);
      if (!existing && !input.token) throw conflict('token_required', 'The Wonde token is required to set up the connection');
      const mapping = wondeFieldMappingSchema.parse({ ...((existing?.mapping as object) ?? {}), ...(input.mapping ?? {}), fields: { ...((existing?.mapping as { fields?: object })?.fields ?? {}), ...(input.mapping?.fields ?? {}) } });
      const values = {
        schoolId: input.schoolId,
        authMode: input.authMode ?? existing?.authMode ?? 'bearer',
        enabled: input.enabled ?? existing?.enabled ?? true,
        mapping: mapping as Record<string, unknown>,
        tokenEncrypted: input.token ? encryptSecret(config.secretKey, input.token) : existing!.tokenEncrypted,
        updatedAt: now(),
      };
      const row = existing ? await wondeRepo.updateConnection(tx, tenantId, existing.id, values) : await wondeRepo.insertConnection(tx, { tenantId, organisationId, ...values });
      await recordAudit(tx, tenantId, actor, {
        action: 'integration.wonde_saved',
        targetType: 'organisation',
        targetId: organisationId,
        summary: `Wonde connection ${existing ? 'changed' : 'set up'} (school ${input.schoolId})`,
        data: { schoolId: input.schoolId, tokenChanged: Boolean(input.token), enabled: values.enabled },
      });
      return presentConnection(row);
    });
  }

  async function startSync(tenantId: string, organisationId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const c = await connection(tenantId, organisationId, tx);
      if (!c) throw notFound('Wonde connection');
      if (!c.enabled) throw conflict('wonde_disabled', 'The Wonde connection of this organisation is switched off');
      const run = await runs.create(tx, tenantId, 'wonde_sync', { organisationId }, actor);
      await wondeRepo.updateConnection(tx, tenantId, c.id, { lastRunId: run.id });
      return run;
    });
  }

  const runWondeSync: RunHandler = async (ctx) => {
    const tenantId = ctx.run.tenantId;
    const organisationId = String(ctx.run.params.organisationId);
    const c = await connection(tenantId, organisationId);
    if (!c) throw new Error('The Wonde connection was removed');
    const startedAt = now();
    // A leaver's date is "today" in the organisation's time zone, as everywhere in the record.
    const timeZone = (await record.organisation(db, tenantId, organisationId))?.timeZone;
    const mapping = wondeFieldMappingSchema.parse(c.mapping);
    const client = createWondeClient({
      baseUrl: config.wondeApiUrl,
      schoolId: c.schoolId,
      token: decryptSecret(config.secretKey, c.tokenEncrypted),
      auth: c.authMode,
      ...deps.clientOptions,
    });
    let employees: WondeEmployee[];
    let deletions: WondeDeletion[];
    try {
      const updatedAfter = c.lastSyncedAt ?? undefined;
      employees = await client.allEmployees({ updatedAfter });
      deletions = updatedAfter ? await client.allDeletions({ updatedAfter }) : [];
    } catch (err) {
      const message = err instanceof WondeError ? err.message : `Wonde sync failed: ${err instanceof Error ? err.message : String(err)}`;
      await inTransaction(db, async (tx) => {
        await wondeRepo.log(tx, { tenantId, runId: ctx.run.id, direction: 'wonde_run', status: 'error', message, at: now() });
        await wondeRepo.updateConnection(tx, tenantId, c.id, { lastError: message });
      });
      throw err;
    }
    const people = employees.map((e) => mapWondeEmployee(e, mapping)).filter((p) => p.current || p.endDate);
    await ctx.setTotal(people.length + deletions.length);

    const types = await record.profileTypes(db, tenantId);
    const typeFor = (p: WondePerson) => p.profileTypeId ?? types.find((t) => t.key === (p.teachingStaff ? 'teaching' : 'support'))?.id ?? types[0]!.id;
    const externals = await integrationRepo.allExternalIds(db, tenantId);
    const byUpi = new Map(externals.filter((x) => x.system === 'wonde').map((x) => [x.externalId, x.profileId]));
    const byWondeId = new Map(externals.filter((x) => x.system === 'wonde_id').map((x) => [x.externalId, x.profileId]));
    const index = new DuplicateIndex();
    for (const p of await record.profilesOfOrganisation(db, tenantId, organisationId)) index.add(p);
    const who = { id: null, label: `Wonde sync (run ${ctx.run.id.slice(0, 8)})` };

    await ctx.batches(people, (p) => `e:${p.wondeId}`, 200, async (tx, batch) => {
      const items: Array<{ itemKey: string; outcome: 'created' | 'updated' | 'skipped' }> = [];
      const changed: string[] = [];
      for (const person of batch) {
        const fields = {
          firstName: person.firstName,
          lastName: person.lastName,
          email: person.email ?? '',
          phone: person.phone ?? '',
          role: person.role,
          startDate: person.startDate,
          leavingDate: person.endDate,
          ...(person.dateOfBirth ? { dateOfBirth: person.dateOfBirth } : {}),
        };
        let profileId = (person.externalId && byUpi.get(person.externalId)) || byWondeId.get(person.wondeId);
        let how = 'matched by UPI';
        if (!profileId) {
          const dup = index.find({ email: fields.email, firstName: fields.firstName, lastName: fields.lastName, dateOfBirth: person.dateOfBirth }, []);
          if (dup) {
            profileId = dup.profileId;
            how = `pre-start profile matched (${dup.detail.toLowerCase()})`;
          }
        }
        let profile: ProfileRow | undefined = profileId ? await record.profile(tx, tenantId, profileId) : undefined;
        if (profile) {
          const before = profile.version;
          profile = await record.applyPatch(tx, tenantId, profile, { set: fields, at: now() }, who);
          items.push({ itemKey: `e:${person.wondeId}`, outcome: profile.version === before ? 'skipped' : 'updated' });
          if (profile.version !== before) changed.push(profile.id);
          if (profile.version !== before) await wondeRepo.log(tx, { tenantId, runId: ctx.run.id, profileId: profile.id, direction: 'wonde_to_profile', status: 'applied', fields: Object.keys(fields), message: how, at: now() });
        } else {
          const at = now();
          [profile] = await record.createProfiles(tx, tenantId, [{ organisationId, profileTypeId: typeFor(person), ...fields, createdAt: at, updatedAt: at }]);
          index.add(profile!);
          items.push({ itemKey: `e:${person.wondeId}`, outcome: 'created' });
          await wondeRepo.log(tx, { tenantId, runId: ctx.run.id, profileId: profile!.id, direction: 'wonde_to_profile', status: 'applied', fields: Object.keys(fields), message: 'created from Wonde', at });
        }
        const ids = [{ system: 'wonde_id', externalId: person.wondeId }, ...(person.externalId ? [{ system: 'wonde', externalId: person.externalId }] : [])];
        await wondeRepo.addExternalIds(tx, ids.map((x) => ({ tenantId, profileId: profile!.id, ...x, createdAt: now() })));
        if (person.externalId) byUpi.set(person.externalId, profile!.id);
        byWondeId.set(person.wondeId, profile!.id);
      }
      // Linked members follow the record through the two-way sync (queued in this batch's transaction).
      await deps.onProfilesChanged?.(tx, tenantId, changed);
      return { items };
    });

    await ctx.batches(deletions, (d) => `d:${d.id}`, 200, async (tx, batch) => {
      const items: Array<{ itemKey: string; outcome: 'updated' | 'skipped' }> = [];
      const changed: string[] = [];
      for (const d of batch) {
        const profileId = byWondeId.get(d.id);
        const profile = profileId ? await record.profile(tx, tenantId, profileId) : undefined;
        if (!profile || profile.leavingDate || d.restored_at) {
          items.push({ itemKey: `d:${d.id}`, outcome: 'skipped' });
          continue;
        }
        const today = todayIn(now(), timeZone);
        await record.applyPatch(tx, tenantId, profile, { set: { leavingDate: today }, at: now() }, who);
        await wondeRepo.log(tx, { tenantId, runId: ctx.run.id, profileId: profile.id, direction: 'wonde_to_profile', status: 'applied', fields: ['leavingDate'], message: 'deleted in the MIS: marked as leaving', at: now() });
        items.push({ itemKey: `d:${d.id}`, outcome: 'updated' });
        changed.push(profile.id);
      }
      await deps.onProfilesChanged?.(tx, tenantId, changed);
      return { items };
    });

    await wondeRepo.updateConnection(db, tenantId, c.id, { lastSyncedAt: startedAt, lastError: null });
  };

  return { get, save, startSync, runHandlers: { wonde_sync: runWondeSync } };
}

export type WondeService = ReturnType<typeof createWondeService>;

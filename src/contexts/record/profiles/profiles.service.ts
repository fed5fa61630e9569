import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, conflict, notFound, validationFailed, type FieldIssue } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { assertLevel, levelAt, orgAccessOf, visibleOrgs, type OrgAccess } from '../access.js';
import { loadModel, loadProfilesWithValues, toRuleProfile, type CheckRow, type CheckValueRow, type ProfileRow } from '../record.repo.js';
import { evaluate } from '../rules/conditions.js';
import { inPostOn, profileAccessor, type RuleValue } from '../rules/rating.js';
import { defaultFacts } from '../kcsie/rule-sets.js';
import { isIsoDate, todayIn, ukDate } from '../rules/dates.js';
import { dayAt, evaluateRow, prepare, ruleValues, type PreparedModel } from '../engine.js';
import { catalogOf, parseConditionParam } from '../setup/setup.service.js';
import { profilesRepo } from './profiles.repo.js';
import type { ProfileHooks } from './profile-hooks.js';
import { applyPatch, historyActorOf, historyOfNew, type ProfileColumns } from './profile-writer.js';
import { createProfileErasure } from './erasure.js';
import type { CheckValueInput, ProfileCreateInput, ProfilePatchInput } from './profiles.schemas.js';

/** `hooks`: the other contexts' profile guards and listeners (see profile-hooks.ts). */
export type ProfilesDeps = Pick<Platform, 'db' | 'now' | 'storage'> & { hooks: ProfileHooks };

const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  email: 'Email',
  phone: 'Phone',
  role: 'Role',
  startDate: 'Start date',
  leavingDate: 'Leaving date',
  organisationId: 'Organisation',
  profileTypeId: 'Profile type',
  status: 'Status',
};
type ProfileField = keyof typeof FIELD_LABELS & keyof ProfileRow;

/** A value as a person reads it in the history and the export. */
export function displayValue(check: Pick<CheckRow, 'type' | 'referenceLabel'>, v: Pick<CheckValueRow, 'value' | 'reference' | 'checkedOn'> | undefined | null): string | null {
  if (!v || v.value === null || v.value === undefined) return null;
  let s = typeof v.value === 'boolean' ? (v.value ? 'Yes' : 'No') : check.type === 'date' && isIsoDate(v.value) ? ukDate(v.value) : v.value;
  if (v.reference) s += ` (${check.referenceLabel ?? 'reference'} ${v.reference})`;
  if (v.checkedOn && check.type !== 'date') s += ` (checked ${ukDate(v.checkedOn)})`;
  return s;
}

/** `asOf` must be a real date (400 naming it). */
export function assertAsOf(asOf: string | undefined): void {
  if (asOf !== undefined && !isIsoDate(asOf)) throw badRequest('invalid_date', `asOf (${asOf}) is not a real date`, 'asOf');
}

export function createProfilesService(deps: ProfilesDeps) {
  const { db, now } = deps;
  const today = () => todayIn(now());
  /** Today in the organisation's time zone (the one definition of "today" of the record). */
  const todayOf = (m: PreparedModel, organisationId: string) => dayAt(m, organisationId, now());

  /** Facts by key as given (true, false, null = not answered): unknown facts and wrong types are 400 naming the fact. */
  function validateFacts(m: PreparedModel, facts: Record<string, unknown> | undefined): Record<string, boolean | null> {
    const out: Record<string, boolean | null> = {};
    if (!facts) return out;
    const issues: FieldIssue[] = [];
    const known = new Map(m.facts.map((f) => [f.key, f]));
    for (const [key, v] of Object.entries(facts)) {
      const fact = known.get(key);
      if (!fact) issues.push({ field: `facts.${key}`, message: `Unknown fact "${key}"` });
      else if (v !== true && v !== false && v !== null) issues.push({ field: `facts.${key}`, message: `${fact.name} is yes or no (true or false, or null when not known)` });
      else out[key] = v;
    }
    if (issues.length) throw validationFailed(issues);
    return out;
  }

  const yesNo = (v: boolean | null | undefined) => (v === true ? 'Yes' : v === false ? 'No' : null);

  /** The facts after a change, and the history lines saying what changed. */
  function applyFacts(m: PreparedModel, current: Record<string, boolean>, given: Record<string, boolean | null>) {
    const next: Record<string, boolean> = { ...current };
    const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
    for (const f of m.facts) {
      if (!(f.key in given)) continue;
      const v = given[f.key];
      const before = yesNo(current[f.key]);
      if (v === null || v === undefined) delete next[f.key];
      else next[f.key] = v;
      const after = yesNo(next[f.key]);
      if (before !== after) diffs.push({ field: `About the post: ${f.name}`, before, after });
    }
    return { next, diffs };
  }

  function visibleChecks(m: PreparedModel, organisationId: string) {
    return m.checks.filter((c) => c.organisationId === null || c.organisationId === organisationId);
  }

  /** Validates check values by key: unknown checks, wrong types, impossible or future dates. */
  function validateValues(m: PreparedModel, organisationId: string, checks: Record<string, CheckValueInput>, day: string): Array<{ check: CheckRow; input: CheckValueInput }> {
    const issues: FieldIssue[] = [];
    const out: Array<{ check: CheckRow; input: CheckValueInput }> = [];
    const visible = new Map(visibleChecks(m, organisationId).map((c) => [c.key, c]));
    for (const [key, input] of Object.entries(checks)) {
      const field = `checks.${key}`;
      const check = visible.get(key);
      if (!check) {
        issues.push({ field, message: `Unknown check "${key}"` });
        continue;
      }
      if (!check.enabled) {
        issues.push({ field, message: `${check.name} is switched off` });
        continue;
      }
      out.push({ check, input });
      if (input === null || input.value === null) continue;
      const v = input.value;
      const future = (d: string) => check.pastOnly && d > day;
      switch (check.type) {
        case 'yesno':
          if (typeof v !== 'boolean') issues.push({ field, message: `${check.name} is yes or no (true or false)` });
          break;
        case 'date':
          if (typeof v !== 'string' || !isIsoDate(v)) issues.push({ field, message: `${check.name} must be a real date as YYYY-MM-DD` });
          else if (future(v)) issues.push({ field, message: `${check.name} cannot be in the future (${ukDate(v)})` });
          break;
        case 'text':
          if (typeof v !== 'string') issues.push({ field, message: `${check.name} is text` });
          break;
        case 'choice':
          if (typeof v !== 'string' || !check.options.some((o) => o.toLowerCase() === v.toLowerCase())) {
            issues.push({ field, message: `${check.name} must be one of: ${check.options.join(', ')}` });
          }
          break;
        case 'document':
          issues.push({ field, message: `${check.name} is a document: upload the file instead` });
          break;
      }
      if (input.checkedOn !== undefined && input.checkedOn !== null) {
        if (!isIsoDate(input.checkedOn)) issues.push({ field: `${field}.checkedOn`, message: 'Not a real date' });
        else if (input.checkedOn > day) issues.push({ field: `${field}.checkedOn`, message: `A check cannot be done in the future (${ukDate(input.checkedOn)})` });
      }
    }
    if (issues.length) throw validationFailed(issues);
    return out;
  }

  function validateProfileDates(input: Partial<Pick<ProfileRow, 'dateOfBirth' | 'startDate' | 'leavingDate'>>, day: string) {
    const issues: FieldIssue[] = [];
    for (const f of ['dateOfBirth', 'startDate', 'leavingDate'] as const) {
      const v = input[f];
      if (v && !isIsoDate(v)) issues.push({ field: f, message: `${FIELD_LABELS[f]} is not a real date` });
    }
    if (input.dateOfBirth && isIsoDate(input.dateOfBirth) && input.dateOfBirth > day) issues.push({ field: 'dateOfBirth', message: 'Date of birth cannot be in the future' });
    const { startDate: start, leavingDate: left } = input;
    if (start && left && isIsoDate(start) && isIsoDate(left) && left < start) issues.push({ field: 'leavingDate', message: `Leaving date (${ukDate(left)}) cannot be before the start date (${ukDate(start)})` });
    if (issues.length) throw validationFailed(issues);
  }

  function assertTypeAndOrg(m: PreparedModel, access: OrgAccess, organisationId: string, profileTypeId: string, current?: ProfileRow) {
    if (!m.organisations.has(organisationId)) throw badRequest('unknown_organisation', 'Unknown organisation', 'organisationId');
    assertLevel(access, organisationId, 'edit', 'Organisation');
    const type = m.profileTypes.get(profileTypeId);
    if (!type) throw badRequest('unknown_profile_type', 'Unknown profile type', 'profileTypeId');
    if (type.retiredAt && current?.profileTypeId !== profileTypeId) throw badRequest('retired_profile_type', `${type.name} is retired`, 'profileTypeId');
  }

  /** Refuses a check the law does not allow for this person (e.g. the barred list outside regulated activity). */
  function assertAllowed(m: PreparedModel, profile: ProfileRow, current: ReadonlyMap<string, CheckValueRow>, changes: Array<{ check: CheckRow; input: CheckValueInput }>, day: string) {
    // The state after the change decides what is allowed.
    const next = new Map<string, RuleValue>(ruleValues(current));
    for (const { check, input } of changes) {
      if (input === null || input.value === null) next.delete(check.id);
      else next.set(check.id, { value: input.value, reference: input.reference ?? null, checkedOn: input.checkedOn ?? null });
    }
    const get = profileAccessor(toRuleProfile(m, profile, next), m.set, { answeredOnly: true });
    for (const { check, input } of changes) {
      if (input === null || input.value === null || !check.allowedWhen) continue;
      if (!evaluate(check.allowedWhen.condition, get, day)) {
        throw new AppError(400, 'check_not_allowed', `${check.name}: ${check.allowedWhen.reason}`, { field: `checks.${check.key}` });
      }
    }
  }

  /** A new profile's facts: the profile type's defaults, then what was given. */
  function factsOfNew(m: PreparedModel, input: Pick<ProfileCreateInput, 'facts' | 'profileTypeId' | 'organisationId'>): Record<string, boolean> {
    const given = validateFacts(m, input.facts);
    const typeKey = m.profileTypes.get(input.profileTypeId)?.key ?? '';
    const orgType = m.organisations.get(input.organisationId)?.type ?? 'other';
    return applyFacts(m, defaultFacts(m.facts, typeKey, orgType), given).next;
  }

  /** Every reason a new profile would be refused, without writing anything (the import's dry run). */
  function problemsOfNew(m: PreparedModel, access: OrgAccess, input: ProfileCreateInput, day: string): FieldIssue[] {
    try {
      assertTypeAndOrg(m, access, input.organisationId, input.profileTypeId);
      validateProfileDates(input, day);
      const changes = validateValues(m, input.organisationId, input.checks, day);
      const facts = factsOfNew(m, input);
      const draft = { id: '', tenantId: '', organisationId: input.organisationId, profileTypeId: input.profileTypeId, firstName: input.firstName, lastName: input.lastName, dateOfBirth: input.dateOfBirth ?? null, email: input.email ?? '', phone: input.phone ?? '', role: input.role ?? '', startDate: input.startDate ?? null, leavingDate: input.leavingDate ?? null, facts, status: 'live', archivedAt: null, version: 1, createdAt: new Date(0), updatedAt: new Date(0) } satisfies ProfileRow;
      assertAllowed(m, draft, new Map(), changes, day);
      return [];
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return err.details.issues ?? [{ field: err.field ?? '', message: err.message }];
    }
  }

  /**
   * Applies check values (upsert / clear) after validation, and refuses a check that the law
   * does not allow for this person (e.g. the barred list outside regulated activity).
   */
  async function applyValues(
    t: DbOrTx,
    m: PreparedModel,
    tenantId: string,
    profile: ProfileRow,
    current: Map<string, CheckValueRow>,
    changes: Array<{ check: CheckRow; input: CheckValueInput }>,
    actor: Actor,
    at: Date,
    day: string,
  ): Promise<Array<{ field: string; before: string | null; after: string | null }>> {
    assertAllowed(m, profile, current, changes, day);
    const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
    const clear: string[] = [];
    for (const { check, input } of changes) {
      const before = displayValue(check, current.get(check.id));
      if (input === null || input.value === null) {
        if (current.has(check.id)) clear.push(check.id);
        if (before !== null) diffs.push({ field: check.name, before, after: null });
        continue;
      }
      const prev = current.get(check.id);
      const row = {
        tenantId,
        profileId: profile.id,
        checkId: check.id,
        value: input.value,
        reference: input.reference === undefined ? (prev?.reference ?? null) : input.reference,
        checkedOn: input.checkedOn === undefined ? (prev?.checkedOn ?? (check.type === 'date' ? null : day)) : input.checkedOn,
        evidence: input.evidence ?? prev?.evidence ?? '',
        recordedBy: actor.kind === 'user' ? actor.id : null,
        recordedByLabel: actor.label,
        recordedAt: at,
      };
      const after = displayValue(check, row);
      const evidenceChanged = input.evidence !== undefined && input.evidence !== (prev?.evidence ?? '');
      if (after === before && !evidenceChanged) continue;
      await profilesRepo.upsertValue(t, row);
      if (after !== before) diffs.push({ field: check.name, before, after });
      if (evidenceChanged) diffs.push({ field: `${check.name} — evidence seen`, before: prev?.evidence || null, after: input.evidence || null });
    }
    await profilesRepo.deleteValues(t, tenantId, profile.id, clear);
    return diffs;
  }

  async function present(t: DbOrTx, m: PreparedModel, p: ProfileRow, asOf?: string) {
    const [values, documents] = await Promise.all([profilesRepo.values(t, p.tenantId, p.id), profilesRepo.documents(t, p.tenantId, p.id)]);
    const withDocs = new Set(documents.filter((d) => !d.deletedAt && d.checkId).map((d) => d.checkId!));
    const day = asOf ?? todayOf(m, p.organisationId);
    const ev = evaluateRow(m, p, values, day, withDocs);
    return { profile: p, model: m, values, documents, evaluation: ev, asOf: day };
  }

  async function get(principal: Principal, id: string, asOf?: string) {
    assertAsOf(asOf);
    const access = orgAccessOf(principal);
    const p = await profilesRepo.find(db, principal.tenantId, id);
    if (!p) throw notFound('Profile');
    assertLevel(access, p.organisationId, 'view');
    const m = prepare(await loadModel(db, principal.tenantId));
    return present(db, m, p, asOf);
  }

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

  async function update(principal: Principal, actor: Actor, id: string, input: ProfilePatchInput) {
    const access = orgAccessOf(principal);
    const day = today();
    return inTransaction(db, async (t) => {
      const current = await profilesRepo.findForUpdate(t, principal.tenantId, id);
      if (!current) throw notFound('Profile');
      assertLevel(access, current.organisationId, 'edit');
      if (input.version !== current.version) {
        const changes = await profilesRepo.history(t, principal.tenantId, id, input.version);
        const who = [...new Set(changes.map((c) => c.actorLabel))].join(', ') || 'someone else';
        throw conflict('version_conflict', `This profile was changed by ${who} since you opened it (version ${input.version} → ${current.version}). Reload to see the changes; nothing was saved.`, {
          currentVersion: current.version,
          changes: changes.map((c) => ({ version: c.version, field: c.field, before: c.before, after: c.after, actor: c.actorLabel, at: c.at.toISOString() })),
        });
      }
      const m = prepare(await loadModel(t, principal.tenantId));
      const organisationId = input.organisationId ?? current.organisationId;
      const profileTypeId = input.profileTypeId ?? current.profileTypeId;
      if (input.organisationId !== undefined || input.profileTypeId !== undefined) assertTypeAndOrg(m, access, organisationId, profileTypeId, current);
      validateProfileDates({ dateOfBirth: input.dateOfBirth, startDate: input.startDate === undefined ? current.startDate : input.startDate, leavingDate: input.leavingDate === undefined ? current.leavingDate : input.leavingDate }, day);
      const changes = validateValues(m, organisationId, input.checks ?? {}, day);
      const at = now();
      const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
      const set: ProfileColumns = {};
      for (const f of Object.keys(FIELD_LABELS) as ProfileField[]) {
        const v = (input as Record<string, unknown>)[f];
        if (v === undefined || v === current[f]) continue;
        (set as Record<string, unknown>)[f] = v;
        const show = (x: unknown) => {
          if (x === null || x === undefined || x === '') return null;
          if (f === 'organisationId') return m.organisations.get(String(x))?.name ?? String(x);
          if (f === 'profileTypeId') return m.profileTypes.get(String(x))?.name ?? String(x);
          return typeof x === 'string' && isIsoDate(x) ? ukDate(x) : String(x);
        };
        diffs.push({ field: FIELD_LABELS[f]!, before: show(current[f]), after: show(v) });
      }
      const factChange = applyFacts(m, current.facts, validateFacts(m, input.facts));
      if (factChange.diffs.length) {
        set.facts = factChange.next;
        diffs.push(...factChange.diffs);
      }
      await deps.hooks.checkUpdate(t, { tenantId: principal.tenantId, profileId: id, fields: Object.keys(set) });
      const nextRow: ProfileRow = { ...current, ...set } as ProfileRow;
      const values = await profilesRepo.values(t, principal.tenantId, id);
      diffs.push(...(await applyValues(t, m, principal.tenantId, nextRow, values, changes, actor, at, day)));
      if (!diffs.length) return present(t, m, current);
      const row = await applyPatch(t, principal.tenantId, current, { set, lines: diffs, at, ifVersion: current.version }, historyActorOf(actor));
      if (!row) throw conflict('version_conflict', 'This profile was changed by someone else at the same moment; nothing was saved', { currentVersion: current.version + 1, changes: [] });
      const version = row.version;
      await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.updated', targetType: 'record_profile', targetId: id, summary: `Profile ${row.firstName} ${row.lastName} updated: ${diffs.map((d) => d.field).join(', ')}`, data: { version } });
      await deps.hooks.changed(t, { tenantId: principal.tenantId, profileIds: [id], change: 'updated', fields: Object.keys(set) });
      return present(t, m, row);
    });
  }

  async function list(principal: Principal, q: { organisationId?: string; profileTypeId?: string; status: 'live' | 'archived'; asOf?: string; q?: string; condition?: string; ratingSystem?: string; ready?: 'true' | 'false'; limit: number; offset: number }) {
    assertAsOf(q.asOf);
    const access = orgAccessOf(principal);
    const m = prepare(await loadModel(db, principal.tenantId));
    const condition = parseConditionParam(q.condition, catalogOf(m));
    let orgs = visibleOrgs(access);
    if (q.organisationId) {
      if (!m.organisations.has(q.organisationId) || levelAt(access, q.organisationId) === null) throw notFound('Organisation');
      orgs = [q.organisationId];
    }
    const rows = await loadProfilesWithValues(db, principal.tenantId, { organisationIds: orgs, status: q.status, profileTypeIds: q.profileTypeId ? [q.profileTypeId] : null });
    const needle = q.q?.toLowerCase();
    const out = [];
    for (const r of rows) {
      if (q.asOf && !inPostOn({ start_date: r.profile.startDate, leaving_date: r.profile.leavingDate }, q.asOf)) continue;
      const day = q.asOf ?? todayOf(m, r.profile.organisationId);
      if (needle && !`${r.profile.firstName} ${r.profile.lastName} ${r.profile.role} ${r.profile.email}`.toLowerCase().includes(needle)) continue;
      if (condition) {
        const rp = toRuleProfile(m, r.profile, ruleValues(r.values));
        if (!evaluate(condition, profileAccessor(rp, m.set), day)) continue;
      }
      const ev = evaluateRow(m, r.profile, r.values, day);
      if (q.ratingSystem && q.ready) {
        const rating = ev.ratings.find((x) => x.key === q.ratingSystem || x.systemId === q.ratingSystem);
        if (!rating || String(rating.ready) !== q.ready) continue;
      } else if (q.ready && String(ev.ready) !== q.ready) continue;
      out.push({ profile: r.profile, evaluation: ev, asOf: day });
    }
    return { total: out.length, items: out.slice(q.offset, q.offset + q.limit), model: m };
  }

  async function history(principal: Principal, id: string) {
    const { profile } = await get(principal, id);
    return profilesRepo.history(db, principal.tenantId, profile.id);
  }

  /** Leavers leave the live record: archived (kept for the organisation's retention period). */
  async function archive(principal: Principal, actor: Actor, id: string, input: { leavingDate?: string | null; version: number }) {
    const day = today();
    return inTransaction(db, async (t) => {
      const current = await profilesRepo.findForUpdate(t, principal.tenantId, id);
      if (!current) throw notFound('Profile');
      assertLevel(orgAccessOf(principal), current.organisationId, 'edit');
      if (input.version !== current.version) throw conflict('version_conflict', 'This profile was changed since you opened it; reload first', { currentVersion: current.version, changes: [] });
      if (current.status === 'archived') throw conflict('already_archived', 'This profile is already archived');
      const leavingDate = input.leavingDate ?? current.leavingDate ?? day;
      if (!isIsoDate(leavingDate)) throw badRequest('invalid_date', 'Leaving date is not a real date', 'leavingDate');
      if (current.startDate && leavingDate < current.startDate) throw badRequest('invalid_date', `Leaving date (${ukDate(leavingDate)}) cannot be before the start date (${ukDate(current.startDate)})`, 'leavingDate');
      const at = now();
      const lines = [
        { field: 'Status', before: 'live', after: 'archived' },
        ...(leavingDate !== current.leavingDate ? [{ field: 'Leaving date', before: current.leavingDate ? ukDate(current.leavingDate) : null, after: ukDate(leavingDate) }] : []),
      ];
      const row = await applyPatch(t, principal.tenantId, current, { set: { status: 'archived', archivedAt: at, leavingDate }, lines, at }, historyActorOf(actor));
      await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.archived', targetType: 'record_profile', targetId: id, summary: `Profile ${row!.firstName} ${row!.lastName} archived (left ${ukDate(leavingDate)})` });
      await deps.hooks.changed(t, { tenantId: principal.tenantId, profileIds: [id], change: 'archived', fields: ['status', 'leavingDate'] });
      const m = prepare(await loadModel(t, principal.tenantId));
      return present(t, m, row!);
    });
  }

  // Export, erasure and retention are their own use cases (erasure.ts), offered here as before.
  const erasure = createProfileErasure(deps);

  return { get, create, update, list, history, archive, ...erasure, problemsOfNew };
}

export type ProfilesService = ReturnType<typeof createProfilesService>;

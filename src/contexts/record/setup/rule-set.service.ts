import type { Platform } from '../../../platform/platform.js';
import { AppError } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { assertTrustAdmin } from '../access.js';
import { loadModel, loadProfilesWithValues, toRuleProfile, type CheckRow, type RecordModel } from '../record.repo.js';
import { setupRepo } from './setup.repo.js';
import { dayAt, prepare, ruleValues } from '../engine.js';
import { evaluateProfile, type Problem } from '../rules/rating.js';
import type { BuiltInCheck, BuiltInSet } from '../kcsie/kcsie-2025.js';
import { LATEST_RULE_SET, RULE_SETS, ruleSetOf } from '../kcsie/rule-sets.js';
import { definitionOf } from './seed.js';

export type RuleSetDeps = Pick<Platform, 'db' | 'now'>;

/** The definition fields of a built-in check an upgrade replaces (a tenant's validity and on/off survive). */
const DEFINITION = ['section', 'name', 'help', 'type', 'options', 'requirement', 'appliesTo', 'condition', 'dateRequired', 'passValue', 'referenceLabel', 'allowedWhen', 'pastOnly', 'documentRetentionMonths'] as const;


/**
 * Equal as data: objects compared with their keys sorted, since a definition read back from jsonb
 * has its keys in jsonb's order, not the file's (compared as written, every check with a condition
 * was listed as "changed" by an upgrade that did not change it).
 */
const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v);
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a ?? null)) === JSON.stringify(canonical(b ?? null));

/** The same problems by message, as sets (order and repeats do not matter). */
function sameMessages(a: readonly Problem[], b: readonly Problem[]): boolean {
  if (a.length === 0 && b.length === 0) return true;
  const x = new Set(a.map((p) => p.message));
  const y = new Set(b.map((p) => p.message));
  if (x.size !== y.size) return false;
  for (const m of x) if (!y.has(m)) return false;
  return true;
}

export type CheckChange = { key: string; name: string; change: 'added' | 'changed' | 'removed'; fields: string[] };

/**
 * The tenant's checks after moving from `from` to `to`, in memory: built-in checks take the new
 * definitions (a validity the tenant edited away from the old set's stays, as does switching a
 * recommended check off), checks the new set drops are switched off (values kept), the tenant's
 * own checks are untouched. Rows to insert have no id yet.
 */
export function planUpgrade(checks: readonly CheckRow[], from: BuiltInSet | undefined, to: BuiltInSet) {
  const oldDefs = new Map((from?.checks ?? []).map((c) => [c.key, c]));
  const wanted = new Map(to.checks.map((c) => [c.key, c]));
  const byKey = new Map(checks.map((c) => [c.key, c]));
  const next: CheckRow[] = [];
  const inserts: BuiltInCheck[] = [];
  const changes: CheckChange[] = [];
  for (const c of checks) {
    if (c.scope !== 'builtin') {
      next.push(c);
      continue;
    }
    const def = wanted.get(c.key);
    if (!def) {
      if (c.enabled) changes.push({ key: c.key, name: c.name, change: 'removed', fields: [] });
      next.push({ ...c, enabled: false });
      continue;
    }
    const d = definitionOf(def);
    const fields = DEFINITION.filter((f) => !same(c[f], d[f]));
    const old = oldDefs.get(c.key);
    const validityEdited = old ? !same(c.validity, old.validity) : false;
    const validity = validityEdited ? c.validity : (def.validity ?? null);
    if (!same(validity, c.validity)) fields.push('validity' as never);
    // A check the old set did not have (dropped by an earlier version) comes back on.
    const enabled = old ? c.enabled : true;
    if (!c.enabled && enabled) changes.push({ key: c.key, name: d.name, change: 'added', fields: [] });
    else if (fields.length) changes.push({ key: c.key, name: d.name, change: 'changed', fields: [...fields] });
    next.push({ ...c, ...d, validity, enabled, setVersion: to.version });
  }
  let position = Math.max(0, ...checks.map((c) => c.position));
  for (const def of to.checks) {
    if (byKey.has(def.key)) continue;
    inserts.push(def);
    changes.push({ key: def.key, name: def.name, change: 'added', fields: [] });
    position += 1;
    next.push({ id: `new:${def.key}`, tenantId: '', key: def.key, scope: 'builtin', organisationId: null, setVersion: to.version, ...definitionOf(def), validity: def.validity ?? null, enabled: true, position, createdAt: new Date(0) });
  }
  return { next, inserts, changes };
}

export function createRuleSetService(deps: RuleSetDeps) {
  const { db, now } = deps;

  function target(model: RecordModel, version: string): BuiltInSet {
    const to = ruleSetOf(version);
    if (!to) throw new AppError(409, 'unknown_rule_set', `There is no rule set "${version}" (available: ${RULE_SETS.map((s) => s.version).join(', ')})`, { field: 'version' });
    if (to.version === model.ruleSetVersion) throw new AppError(409, 'rule_set_in_use', `${to.version} is already in use`, { field: 'version' });
    return to;
  }

  async function current(p: Principal) {
    const model = await loadModel(db, p.tenantId);
    const set = ruleSetOf(model.ruleSetVersion);
    return {
      version: model.ruleSetVersion,
      summary: set?.summary ?? '',
      latest: LATEST_RULE_SET.version,
      versions: RULE_SETS.map((s) => ({ version: s.version, summary: s.summary, current: s.version === model.ruleSetVersion })),
    };
  }

  /** What moving to `version` changes: checks, facts, and every live profile whose rating changes (by name). Writes nothing. */
  async function previewOn(t: DbOrTx, p: Principal, version: string) {
    const model = await loadModel(t, p.tenantId);
    const to = target(model, version);
    const from = ruleSetOf(model.ruleSetVersion);
    const plan = planUpgrade(model.checks, from, to);
    const before = prepare(model);
    const after = prepare({ ...model, checks: plan.next, checksByKey: new Map(plan.next.map((c) => [c.key, c])), ruleSetVersion: to.version, facts: to.facts });
    const oldFacts = new Set((from?.facts ?? []).map((f) => f.key));
    const newFacts = new Set(to.facts.map((f) => f.key));
    const rows = await loadProfilesWithValues(t, p.tenantId, { status: 'live' });
    // Set-wise: "today" once per organisation, each profile read into the engine's terms once and
    // rated under both sets, problems compared by message in one pass per rating system.
    const at = now();
    const days = new Map([...model.organisations.keys()].map((id) => [id, dayAt(model, id, at)]));
    const profiles = [];
    for (const r of rows) {
      const day = days.get(r.profile.organisationId) ?? dayAt(model, r.profile.organisationId, at);
      const rp = toRuleProfile(model, r.profile, ruleValues(r.values));
      const a = evaluateProfile(rp, before.set, before.ruleSystems, day);
      const b = evaluateProfile(rp, after.set, after.ruleSystems, day);
      const systems = [];
      for (const rb of b.ratings) {
        const ra = a.ratings.find((x) => x.systemId === rb.systemId);
        const was = ra?.problems ?? [];
        if ((ra?.ready ?? true) === rb.ready && sameMessages(was, rb.problems)) continue;
        const wasSet = new Set(was.map((x) => x.message));
        const nowSet = new Set(rb.problems.map((x) => x.message));
        systems.push({
          key: rb.key,
          name: rb.name,
          before: ra?.ready ?? true,
          after: rb.ready,
          newlyMissing: [...nowSet].filter((m) => !wasSet.has(m)),
          noLongerMissing: [...wasSet].filter((m) => !nowSet.has(m)),
        });
      }
      if (systems.length === 0) continue;
      profiles.push({ id: r.profile.id, name: `${r.profile.firstName} ${r.profile.lastName}`, organisation: model.organisations.get(r.profile.organisationId)?.name ?? '', readyBefore: a.ready, readyAfter: b.ready, systems });
    }
    return {
      from: model.ruleSetVersion,
      to: to.version,
      summary: to.summary,
      checks: plan.changes,
      facts: {
        added: to.facts.filter((f) => !oldFacts.has(f.key)).map((f) => ({ key: f.key, name: f.name })),
        removed: (from?.facts ?? []).filter((f) => !newFacts.has(f.key)).map((f) => ({ key: f.key, name: f.name })),
      },
      profilesChecked: rows.length,
      profiles,
      plan,
      model,
    };
  }

  async function preview(p: Principal, version: string) {
    assertTrustAdmin(p);
    const { plan: _plan, model: _model, ...out } = await previewOn(db, p, version);
    return out;
  }

  /** Moves the tenant to `version` in one transaction (audited). Going back is moving to the earlier version. */
  async function apply(p: Principal, actor: Actor, version: string) {
    assertTrustAdmin(p);
    return inTransaction(db, async (t) => {
      // One upgrade at a time per tenant: the settings row is the lock.
      await setupRepo.lockSettings(t, p.tenantId, LATEST_RULE_SET.version);
      const { plan, model, ...out } = await previewOn(t, p, version);
      const to = ruleSetOf(version)!;
      for (const c of plan.next) {
        if (c.id.startsWith('new:') || c.scope !== 'builtin') continue;
        const { id, tenantId: _t, key: _k, scope: _s, organisationId: _o, createdAt: _c, position: _p, ...set } = c;
        await setupRepo.updateCheck(t, p.tenantId, id, set);
      }
      await setupRepo.insertChecks(
        t,
        p.tenantId,
        plan.next.filter((c) => c.id.startsWith('new:')).map(({ id: _id, createdAt: _c, tenantId: _t, ...c }) => c),
      );
      const types = new Set([...model.profileTypes.values()].map((x) => x.key));
      const missingTypes = to.profileTypes.filter((x) => !types.has(x.key));
      const base = Math.max(0, ...[...model.profileTypes.values()].map((x) => x.position));
      await setupRepo.insertProfileTypes(t, p.tenantId, missingTypes.map((x, i) => ({ key: x.key, name: x.name, builtIn: true, position: base + i + 1 })));
      await setupRepo.setRuleSetVersion(t, p.tenantId, to.version, now());
      await recordAudit(t, p.tenantId, actor, {
        action: 'record.rule_set.applied',
        targetType: 'record_rule_set',
        targetId: undefined,
        summary: `Rule set changed from ${out.from} to ${out.to}: ${out.checks.length} check change${out.checks.length === 1 ? '' : 's'}, ${out.profiles.length} profile${out.profiles.length === 1 ? ' changes' : 's change'} rating`,
        data: { from: out.from, to: out.to, checks: out.checks, facts: out.facts, profilesChanged: out.profiles.length },
      });
      return out;
    });
  }

  return { current, preview, apply };
}

export type RuleSetService = ReturnType<typeof createRuleSetService>;

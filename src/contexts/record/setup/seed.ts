import type { DbOrTx } from '../../../platform/db/database.js';
import type { BuiltInCheck, BuiltInSet } from '../kcsie/kcsie-2025.js';
import { LATEST_RULE_SET } from '../kcsie/rule-sets.js';
import { recordChecks, recordProfileTypes, recordRatingSystems, recordSettings } from '../record.tables.js';

/** The definition of a built-in check as stored (what an upgrade replaces; validity is the tenant's). */
export function definitionOf(c: BuiltInCheck) {
  return {
    section: c.section,
    name: c.name,
    help: c.help,
    type: c.type,
    options: c.options ?? [],
    requirement: c.requirement,
    appliesTo: c.appliesTo,
    condition: c.condition ?? null,
    dateRequired: c.dateRequired ?? false,
    passValue: c.passValue ?? null,
    referenceLabel: c.referenceLabel ?? null,
    allowedWhen: c.allowedWhen ?? null,
    pastOnly: c.pastOnly ?? true,
    documentRetentionMonths: c.documentRetentionMonths ?? null,
  };
}

/** Gives a tenant's record the built-in profile types, checks and rating systems of a set. */
export async function seedRecord(tx: DbOrTx, tenantId: string, set: BuiltInSet = LATEST_RULE_SET): Promise<void> {
  await tx.insert(recordProfileTypes).values(set.profileTypes.map((t, i) => ({ tenantId, key: t.key, name: t.name, builtIn: true, position: i + 1 })));
  await tx.insert(recordChecks).values(
    set.checks.map((c, i) => ({
      tenantId,
      key: c.key,
      scope: 'builtin' as const,
      setVersion: set.version,
      ...definitionOf(c),
      validity: c.validity ?? null,
      position: i + 1,
    })),
  );
  await tx.insert(recordSettings).values({ tenantId, ruleSetVersion: set.version }).onConflictDoNothing();
  await tx.insert(recordRatingSystems).values(set.ratingSystems.map((s, i) => ({ tenantId, ...s, builtIn: true, rules: {}, position: i + 1 })));
}

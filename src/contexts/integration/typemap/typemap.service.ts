import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { ConditionGroup, RecordPort } from '../../record/index.js';
import { typeMapRepo } from './typemap.repo.js';
import { integrationRepo } from '../integration.repo.js';
import { membersWithAttributes, type MemberAttributes, type MemberReadPorts } from '../people/member-attributes.js';
import type { GroupsPort } from '../../signin/index.js';
import { groupIdsIn, mapMember, memberFieldCatalog, validateRule, type MapRule, type MemberFacts } from './typemap.js';

export const TEACHING_TYPE_KEY = 'teaching';

export const factsOf = (m: MemberAttributes): MemberFacts => ({
  groupId: m.groupId,
  groupName: m.groupName,
  isStaffGroup: m.isStaffGroup,
  fullName: m.fullName,
  role: m.role,
  email: m.email,
  phone: m.phone,
  customFields: m.customFields,
  department: m.department,
  idpGroups: m.idpGroups,
});

export function createTypeMapService(deps: Pick<Platform, 'db' | 'now'> & MemberReadPorts & { record: RecordPort; groups: GroupsPort }) {
  const { db, now, record } = deps;
  const today = () => now().toISOString().slice(0, 10);

  async function rules(tx: DbOrTx, tenantId: string): Promise<MapRule[]> {
    return (await integrationRepo.typeRules(tx, tenantId)).map((r) => ({ id: r.id, profileTypeId: r.profileTypeId, position: r.position, condition: r.condition }));
  }

  async function teachingTypeId(tx: DbOrTx, tenantId: string): Promise<string | null> {
    const types = await record.profileTypes(tx, tenantId);
    return types.find((t) => t.key === TEACHING_TYPE_KEY && !t.retiredAt)?.id ?? null;
  }

  /** Everything the mapper needs, loaded once per run. */
  async function mapper(tx: DbOrTx, tenantId: string) {
    const [r, teaching] = [await rules(tx, tenantId), await teachingTypeId(tx, tenantId)];
    const day = today();
    return (m: MemberAttributes) => mapMember(factsOf(m), r, teaching, day);
  }

  async function view(tenantId: string) {
    const [types, r, customKeys] = [await record.profileTypes(db, tenantId), await rules(db, tenantId), await deps.members.customFieldKeys(db, tenantId)];
    return {
      rules: r.map((x) => ({ id: x.id, profileTypeId: x.profileTypeId, profileTypeName: types.find((t) => t.id === x.profileTypeId)?.name ?? '', position: x.position, condition: x.condition })),
      profileTypes: types.filter((t) => !t.retiredAt).map((t) => ({ id: t.id, key: t.key, name: t.name })),
      fields: [...memberFieldCatalog(customKeys)].map(([field, d]) => ({ field, kind: d.kind, label: d.label ?? field })),
    };
  }

  /**
   * A group condition names a group by id (the editor's picker): an id that is not one of the
   * tenant's groups would silently match nobody, so it is refused with the field that holds it.
   */
  async function checkGroupIds(tx: DbOrTx, tenantId: string, input: ReadonlyArray<{ condition: ConditionGroup }>) {
    const named = input.flatMap((r, i) => groupIdsIn(r.condition, `rules.${i}.condition`));
    if (named.length === 0) return;
    const found = new Set((await deps.groups.byIds(tx, tenantId, [...new Set(named.map((n) => n.groupId))])).map((g) => g.id));
    const missing = named.find((n) => !found.has(n.groupId));
    if (missing) throw new AppError(400, 'unknown_group', 'The group condition names a group that does not exist', { field: missing.path });
  }

  /** Replaces the ordered list of rules (the editor saves the whole map). */
  async function save(tenantId: string, input: Array<{ profileTypeId: string; condition: ConditionGroup }>, actor: Actor) {
    const customKeys = await deps.members.customFieldKeys(db, tenantId);
    const issues = input.flatMap((r, i) => validateRule(r.condition, customKeys).map((x) => ({ field: `rules.${i}.${x.path}`, message: x.message })));
    if (issues.length) throw new AppError(400, 'invalid_rule', issues.map((x) => x.message).join('; '), { field: issues[0]!.field, issues });
    await checkGroupIds(db, tenantId, input);
    const seen = new Set<string>();
    input.forEach((r, i) => {
      if (seen.has(r.profileTypeId)) throw new AppError(400, 'duplicate_rule', 'Each profile type has one rule', { field: `rules.${i}.profileTypeId` });
      seen.add(r.profileTypeId);
    });
    const types = new Set((await record.profileTypes(db, tenantId)).map((t) => t.id));
    const unknown = input.findIndex((r) => !types.has(r.profileTypeId));
    if (unknown >= 0) throw notFound('Profile type');
    await inTransaction(db, async (tx) => {
      await typeMapRepo.replaceRules(tx, tenantId, input, now());
      await recordAudit(tx, tenantId, actor, { action: 'integration.type_map_saved', targetType: 'tenant', targetId: tenantId, summary: `Profile type map saved (${input.length} rules)`, data: { rules: input } });
    });
    return view(tenantId);
  }

  /** For the current members of linked groups: how many each rule maps, and who is unmapped. */
  async function preview(tenantId: string, draft?: Array<{ profileTypeId: string; condition: ConditionGroup }>) {
    const links = await integrationRepo.groupLinks(db, tenantId);
    const all = await membersWithAttributes(deps, db, tenantId, links.map((l) => l.groupId));
    const live = all.filter((m) => !m.archivedAt);
    const customKeys = await deps.members.customFieldKeys(db, tenantId);
    if (draft) {
      const issues = draft.flatMap((r, i) => validateRule(r.condition, customKeys).map((x) => ({ field: `rules.${i}.${x.path}`, message: x.message })));
      if (issues.length) throw new AppError(400, 'invalid_rule', issues.map((x) => x.message).join('; '), { field: issues[0]!.field, issues });
      await checkGroupIds(db, tenantId, draft);
    }
    const types = await record.profileTypes(db, tenantId);
    if (draft) {
      // Another tenant's profile type (or none) is named, not silently counted as zero.
      const unknown = draft.findIndex((d) => !types.some((t) => t.id === d.profileTypeId));
      if (unknown >= 0) throw new AppError(404, 'not_found', 'Profile type not found', { field: `rules.${unknown}.profileTypeId` });
    }
    const r: MapRule[] = draft ? draft.map((d, i) => ({ id: `draft-${i}`, profileTypeId: d.profileTypeId, position: i, condition: d.condition })) : await rules(db, tenantId);
    const teaching = await teachingTypeId(db, tenantId);
    const counts = new Map<string, number>();
    let staffDefault = 0;
    const unmapped: Array<{ memberId: string; fullName: string; groupName: string; role: string }> = [];
    const day = today();
    for (const m of live) {
      const res = mapMember(factsOf(m), r, teaching, day);
      if (res.reason === 'rule' && res.ruleId) counts.set(res.ruleId, (counts.get(res.ruleId) ?? 0) + 1);
      else if (res.reason === 'staff_default') staffDefault++;
      else unmapped.push({ memberId: m.id, fullName: m.fullName, groupName: m.groupName, role: m.role });
    }
    return {
      members: live.length,
      rules: r.map((x) => ({ ruleId: x.id, profileTypeId: x.profileTypeId, profileTypeName: types.find((t) => t.id === x.profileTypeId)?.name ?? '', count: counts.get(x.id) ?? 0 })),
      teachingStaffDefault: staffDefault,
      unmapped,
    };
  }

  return { view, save, preview, mapper, rules, teachingTypeId };
}

export type TypeMapService = ReturnType<typeof createTypeMapService>;

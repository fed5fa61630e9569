import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { Principal } from '../../../platform/http/principal.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { toCsv } from '../../../platform/csv.js';
import { writeXlsx, type Sheet } from '../../../platform/xlsx.js';
import { levelAt, orgAccessOf, visibleOrgs } from '../access.js';
import { loadModel, loadProfilesWithValues, toRuleProfile, type CheckRow, type ValueLite, type OrganisationRow, type ProfileRow } from '../record.repo.js';
import { evaluate } from '../rules/conditions.js';
import { expiringWithin, inPostOn, profileAccessor, type ProfileEvaluation } from '../rules/rating.js';
import { isIsoDate, ukDate } from '../rules/dates.js';
import { dayAt, evaluateRow, prepare, ruleValues, type PreparedModel } from '../engine.js';
import { assertAsOf } from '../profiles/validation.js';
import { parseConditionParam, reachedCatalogOf } from '../setup/fields.js';

export type ReportsDeps = Pick<Platform, 'db' | 'now'>;

type Evaluated = { profile: ProfileRow; values: Map<string, ValueLite>; evaluation: ProfileEvaluation };

export function createReportsService(deps: ReportsDeps) {
  const { db, now } = deps;

  /** Live profiles the caller can see (one organisation or all), evaluated, optionally filtered. */
  async function evaluated(principal: Principal, q: { organisationId?: string; profileTypeIds?: string[]; condition?: string; asOf?: string }) {
    assertAsOf(q.asOf);
    const access = orgAccessOf(principal);
    const m = prepare(await loadModel(db, principal.tenantId));
    let orgIds = visibleOrgs(access);
    if (q.organisationId) {
      if (!m.organisations.has(q.organisationId) || levelAt(access, q.organisationId) === null) throw notFound('Organisation');
      orgIds = [q.organisationId];
    }
    const condition = parseConditionParam(q.condition, reachedCatalogOf(m, principal));
    const at = now();
    // The dashboard's own "as at" date: the one asked for, else today in the (first) organisation's time zone.
    const day = q.asOf ?? dayAt(m, q.organisationId ?? orgIds?.[0] ?? [...m.organisations.keys()][0] ?? '', at);
    const rows = await loadProfilesWithValues(db, principal.tenantId, { organisationIds: orgIds, status: 'live', profileTypeIds: q.profileTypeIds?.length ? q.profileTypeIds : null });
    const out: Evaluated[] = [];
    for (const r of rows) {
      if (q.asOf && !inPostOn({ start_date: r.profile.startDate, leaving_date: r.profile.leavingDate }, q.asOf)) continue;
      const day = q.asOf ?? dayAt(m, r.profile.organisationId, at);
      if (condition && !evaluate(condition, profileAccessor(toRuleProfile(m, r.profile, ruleValues(r.values)), m.set), day)) continue;
      out.push({ ...r, evaluation: evaluateRow(m, r.profile, r.values, day) });
    }
    const orgs = [...m.organisations.values()].filter((o) => orgIds === null || orgIds.includes(o.id));
    return { m, rows: out, day, orgs };
  }

  /** Ready vs not ready per rating system, the not-ready profiles and why, checks expiring in 30/60/90 days. */
  async function dashboard(principal: Principal, q: { organisationId?: string; asOf?: string }) {
    const { m, rows, day, orgs } = await evaluated(principal, q);
    const systems = m.systems.filter((s) => s.enabled);
    const tally = (subset: Evaluated[]) =>
      systems.map((s) => {
        let ready = 0;
        for (const r of subset) if (r.evaluation.ratings.find((x) => x.systemId === s.id)?.ready) ready++;
        return { systemId: s.id, key: s.key, name: s.name, readyColour: s.readyColour, notReadyColour: s.notReadyColour, ready, notReady: subset.length - ready };
      });
    const byOrg = new Map<string, Evaluated[]>();
    for (const r of rows) {
      const list = byOrg.get(r.profile.organisationId) ?? [];
      list.push(r);
      byOrg.set(r.profile.organisationId, list);
    }
    const name = (p: ProfileRow) => `${p.firstName} ${p.lastName}`;
    const notReady = rows
      .filter((r) => r.evaluation.ratings.some((x) => !x.ready))
      .map((r) => ({
        id: r.profile.id,
        name: name(r.profile),
        organisation: m.organisations.get(r.profile.organisationId)?.name ?? '',
        profileType: m.profileTypes.get(r.profile.profileTypeId)?.name ?? '',
        reasons: r.evaluation.ratings.filter((x) => !x.ready).map((x) => ({ system: x.name, messages: x.problems.map((p) => p.message) })),
      }));
    const expiring = rows
      .flatMap((r) =>
        expiringWithin(r.evaluation, day, 90).map((e) => ({
          profileId: r.profile.id,
          name: name(r.profile),
          organisation: m.organisations.get(r.profile.organisationId)?.name ?? '',
          check: e.check.name,
          expiresOn: e.expiresOn,
          inDays: e.inDays,
        })),
      )
      .sort((a, b) => a.inDays - b.inDays);
    return {
      organisationId: q.organisationId ?? null,
      asOf: day,
      profiles: rows.length,
      ratings: tally(rows),
      organisations: orgs.map((o) => ({ id: o.id, name: o.name, profiles: byOrg.get(o.id)?.length ?? 0, ratings: tally(byOrg.get(o.id) ?? []) })),
      notReady: notReady.slice(0, 200),
      notReadyTotal: notReady.length,
      expiring: {
        within30: expiring.filter((e) => e.inDays <= 30).length,
        within60: expiring.filter((e) => e.inDays <= 60).length,
        within90: expiring.length,
        items: expiring.slice(0, 200),
      },
    };
  }

  /** The single central record as sheets: one per organisation, one row per person. */
  function sheetsOf(m: PreparedModel, rows: Evaluated[], orgs: OrganisationRow[], withOrgColumn: boolean): Sheet[] {
    const sheets: Sheet[] = [];
    for (const org of orgs) {
      const mine = rows.filter((r) => r.profile.organisationId === org.id);
      const applicable = new Set(mine.flatMap((r) => r.evaluation.applicable.map((a) => a.check.id)));
      const checks = m.checks.filter((c) => applicable.has(c.id));
      sheets.push({ name: org.name, ...table(m, mine, checks, withOrgColumn ? org.name : null) });
    }
    return sheets;
  }

  function table(m: PreparedModel, rows: Evaluated[], checks: CheckRow[], orgName: string | null): { header: string[]; rows: Array<Array<string | null>>; widths: number[] } {
    const header = [...(orgName !== null ? ['Organisation'] : []), 'Name', 'Role', 'Profile type', 'Start date'];
    const widths = [...(orgName !== null ? [24] : []), 24, 20, 20, 12];
    // Facts about the post: why each check applies (the inspector reads it here).
    const facts = m.facts.filter((f) => rows.some((r) => f.key in r.profile.facts || r.evaluation.factsToConfirm.some((x) => x.key === f.key)));
    for (const f of facts) {
      header.push(f.name);
      widths.push(Math.min(30, Math.max(12, f.name.length)));
    }
    for (const c of checks) {
      header.push(c.name);
      widths.push(Math.min(30, Math.max(12, c.name.length)));
      if (c.referenceLabel) {
        header.push(`${c.name}: ${c.referenceLabel.toLowerCase()}`);
        widths.push(16);
      }
      // Who recorded the check in the record (a person, an import, the two-way sync): the record
      // holds no separate "checked by", so the column claims no more than it knows.
      header.push(`${c.name}: date`, `${c.name}: recorded by`);
      widths.push(12, 20);
    }
    const out: Array<Array<string | null>> = [];
    for (const r of rows) {
      const results = new Map(r.evaluation.applicable.map((a) => [a.check.id, a]));
      const line: Array<string | null> = [...(orgName !== null ? [orgName] : []), `${r.profile.lastName}, ${r.profile.firstName}`, r.profile.role, m.profileTypes.get(r.profile.profileTypeId)?.name ?? '', r.profile.startDate ? ukDate(r.profile.startDate) : ''];
      for (const f of facts) {
        const a = r.profile.facts[f.key];
        line.push(a === true ? 'Yes' : a === false ? 'No' : r.evaluation.factsToConfirm.some((x) => x.key === f.key) ? 'To confirm' : 'n/a');
      }
      for (const c of checks) {
        const res = results.get(c.id);
        const v = r.values.get(c.id);
        let status: string;
        if (!res) status = 'n/a';
        else if (c.type === 'yesno') status = v?.value === true ? 'Yes' : v?.value === false ? 'No' : 'Not done';
        else if (c.type === 'text' || c.type === 'choice') status = typeof v?.value === 'string' ? v.value : 'Not done';
        else status = res.state === 'missing' ? 'Not done' : res.state === 'expired' ? `Expired ${ukDate(res.expiresOn!)}` : 'Done';
        // The record as at an earlier day: a check done after it was not done on it.
        if (res?.doneOn) status = `Not done by this date (done ${ukDate(res.doneOn)})`;
        // Recorded but not complete (a DBS certificate without its number, a confirmation without
        // its date): the record must not say "Done" where the rating says it is not done.
        if (res?.state === 'invalid') {
          const detail = res.message!.startsWith(`${c.name}: `) ? res.message!.slice(c.name.length + 2) : res.message!;
          if (!detail.startsWith('answered ')) status = c.type === 'yesno' || c.type === 'text' || c.type === 'choice' ? `${status} (incomplete: ${detail})` : `Incomplete: ${detail}`;
        }
        line.push(status);
        if (c.referenceLabel) line.push(v?.reference ?? '');
        const date = c.type === 'date' && typeof v?.value === 'string' && isIsoDate(v.value) ? v.value : (v?.checkedOn ?? null);
        line.push(date ? ukDate(date) : '', v?.recordedByLabel ?? '');
      }
      out.push(line);
    }
    return { header, rows: out, widths };
  }

  /** The record as XLSX (one sheet per organisation), CSV (one table) or a printable HTML page. Audited. */
  async function exportRecord(principal: Principal, actor: Actor, q: { organisationId?: string; profileTypeIds?: string[]; condition?: string; asOf?: string; format: 'xlsx' | 'csv' | 'html' }) {
    const { m, rows, orgs, day } = await evaluated(principal, q);
    const wholeTrust = !q.organisationId;
    const title = wholeTrust ? 'Single central record' : `Single central record — ${orgs[0]?.name ?? ''}`;
    await recordAudit(db, principal.tenantId, actor, { action: 'record.exported', targetType: 'record_organisation', targetId: q.organisationId, summary: `${title} exported as ${q.format.toUpperCase()} (${rows.length} profiles)`, data: { profileTypeIds: q.profileTypeIds ?? [], condition: q.condition ?? null } });
    const stamp = day;
    const base = `single-central-record-${wholeTrust ? 'trust' : (orgs[0]?.name ?? 'organisation').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${stamp}`;
    if (q.format === 'xlsx') {
      return { fileName: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await writeXlsx(sheetsOf(m, rows, orgs, false)) };
    }
    const applicable = new Set(rows.flatMap((r) => r.evaluation.applicable.map((a) => a.check.id)));
    const all = table(m, rows, m.checks.filter((c) => applicable.has(c.id)), '');
    if (q.format === 'csv') {
      const data = all.rows.map((r, i) => {
        const org = m.organisations.get(rows[i]!.profile.organisationId)?.name ?? '';
        return [org, ...r.slice(1)];
      });
      return { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from('\uFEFF' + toCsv(all.header, data)) };
    }
    return { fileName: `${base}.html`, contentType: 'text/html; charset=utf-8', body: Buffer.from(printable(title, stamp, sheetsOf(m, rows, orgs, false))) };
  }

  return { dashboard, exportRecord };
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function printable(title: string, day: string, sheets: Sheet[]): string {
  const body = sheets
    .map(
      (s) =>
        `<h2>${esc(s.name)}</h2><table><thead><tr>${s.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${[...s.rows]
          .map((r) => `<tr>${r.map((c) => `<td class="${String(c).startsWith('Not done') || String(c).startsWith('Expired') || /^Incomplete: |\(incomplete: /.test(String(c)) ? 'gap' : ''}">${esc(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
    )
    .join('');
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:11px system-ui,sans-serif;margin:1cm}table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #999;padding:2px 4px;vertical-align:top}
th{background:#eee;text-align:left}td.gap{background:#ffe3e3;font-weight:bold}@page{size:A3 landscape}h2{page-break-before:auto}
</style></head><body><h1>${esc(title)}</h1><p>As at ${esc(ukDate(day))}. "n/a": the check does not apply to this person.</p>${body}</body></html>`;
}

export type ReportsService = ReturnType<typeof createReportsService>;

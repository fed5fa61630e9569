import { assertStorableCells } from '../../../platform/http/input.js';
import { humanIssueMessage } from '../../../platform/http/validation-messages.js';
import { parse } from 'csv-parse/sync';
import { toCsv } from '../../../platform/csv.js';
import { AppError, badRequest } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Platform } from '../../../platform/platform.js';
import { members } from '../signin.tables.js';
import type { SiteScope } from '../access.js';
import { memberInput } from './members.schemas.js';
import { newQrToken, type MembersService } from './members.service.js';
import type { MemberEvents } from './member-events.js';

export const IMPORT_COLUMNS = ['fullName', 'role', 'email', 'phone', 'startDate', 'endDate'] as const;
export const IMPORT_MAX_ROWS = 5000;
/** Extra columns `field:<key>` fill the member's custom field values (text). */
const FIELD_COLUMN = /^field:([A-Za-z0-9_-]{1,40})$/;
/** Keys an object cannot hold as its own data (`__proto__` would set the prototype: the column was dropped without a word). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ImportRowError = { row: number; field?: string; reason: string };
export type ImportPreview = {
  valid: boolean;
  total: number;
  rows: Array<{ row: number; fullName: string; role: string; email: string | null; phone: string | null; startDate: string | null; endDate: string | null; customFields: Record<string, string> }>;
  errors: ImportRowError[];
};

export function importTemplateCsv(): string {
  return toCsv(IMPORT_COLUMNS, [['Ada Lovelace', 'Teacher', 'ada@example.org', '07700 900123', '2025-09-01', '']]);
}

/** Parses and checks every row; row numbers count the header as row 1. Writes nothing. */
export function previewImport(csv: string): ImportPreview {
  // The body is read as UTF-8, a byte that is not UTF-8 becoming U+FFFD: a file saved in another
  // encoding (Excel's plain "CSV" on Windows) would import "José" as "Jos" + U+FFFD without a word.
  // (A UTF-16 one is refused before, by the routes: `csvOf`, and the text/csv parser.)
  if (csv.includes('\ufffd')) throw badRequest('csv_not_utf8', 'The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again');
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    throw badRequest('csv_unreadable', `The file is not valid CSV: ${(err as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) throw badRequest('csv_empty', 'The file is empty');
  const columns = header.map((h) => h.trim());
  assertStorableCells(columns, data);
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c) && !FIELD_COLUMN.test(c));
  if (unknown.length > 0) throw badRequest('csv_unknown_columns', `Unknown columns: ${unknown.join(', ')}. Use the template's columns: ${IMPORT_COLUMNS.join(', ')}, and field:<key> for custom fields`);
  const reserved = columns.filter((c) => RESERVED_KEYS.has(FIELD_COLUMN.exec(c)?.[1] ?? ''));
  if (reserved.length > 0) {
    throw new AppError(400, 'csv_reserved_columns', `Columns ${reserved.join(', ')} cannot be imported: __proto__, constructor and prototype cannot be custom field keys`, { extra: { columns: reserved } });
  }
  const repeated = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
  if (repeated.length > 0) {
    throw new AppError(400, 'csv_duplicate_columns', `Columns named more than once: ${repeated.join(', ')}. Each column may appear once`, { extra: { columns: repeated } });
  }
  if (!columns.includes('fullName')) throw badRequest('csv_missing_columns', 'The fullName column is required');
  if (data.length > IMPORT_MAX_ROWS) throw badRequest('csv_too_many_rows', `At most ${IMPORT_MAX_ROWS} rows per import`);
  const preview: ImportPreview = { valid: true, total: data.length, rows: [], errors: [] };
  const emails = new Map<string, number>();
  data.forEach((cells, i) => {
    const row = i + 2;
    if (cells.length > columns.length) {
      preview.errors.push({ row, reason: `Has ${cells.length} cells; the header has ${columns.length}` });
      return;
    }
    const raw: Record<string, string | null | Record<string, string>> = {};
    const customFields: Record<string, string> = {};
    columns.forEach((c, j) => {
      const v = cells[j] ?? '';
      const field = FIELD_COLUMN.exec(c);
      if (field) {
        if (v !== '') customFields[field[1]!] = v;
      } else raw[c] = v === '' && c !== 'fullName' && c !== 'role' ? null : v;
    });
    if (Object.keys(customFields).length > 0) raw.customFields = customFields;
    const parsed = memberInput.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) preview.errors.push({ row, field: issue.path.join('.') || undefined, reason: humanIssueMessage(issue) });
      return;
    }
    const m = parsed.data;
    const email = m.email?.toLowerCase() ?? null;
    if (email) {
      const first = emails.get(email);
      if (first) {
        preview.errors.push({ row, field: 'email', reason: `The same email as row ${first}` });
        return;
      }
      emails.set(email, row);
    }
    preview.rows.push({ row, fullName: m.fullName, role: m.role, email, phone: m.phone ?? null, startDate: m.startDate ?? null, endDate: m.endDate ?? null, customFields });
  });
  if (data.length === 0) preview.errors.push({ row: 2, reason: 'No rows under the header' });
  preview.valid = preview.errors.length === 0;
  return preview;
}

export function createMemberImport(deps: Pick<Platform, 'db' | 'now'> & { events: MemberEvents }, membersService: MembersService) {
  async function preview(tenantId: string, scope: SiteScope, groupId: string, csv: string) {
    const group = await membersService.visibleGroup(tenantId, scope, groupId);
    // Checked as the portal's own writes are (an archived group's roster is closed to people too).
    membersService.assertRosterWritable(group, 'portal');
    return previewImport(csv);
  }

  /** All rows or none: any bad row is a 400 listing every bad row. */
  async function commit(tenantId: string, scope: SiteScope, groupId: string, csv: string, actor: Actor) {
    const result = await preview(tenantId, scope, groupId, csv);
    if (!result.valid) {
      throw new AppError(400, 'csv_invalid', `${result.errors.length} row(s) need fixing; nothing was imported`, { extra: { errors: result.errors } });
    }
    const at = deps.now();
    return membersService.writeCounted(deps.db, tenantId, async (t, changed) => {
      // Checked again with the group's row held until the rows commit: an archive since the
      // preview's check waits for them, or went first and refuses them (409 group_archived).
      membersService.assertRosterWritable(await membersService.groupFor(t, tenantId, groupId, 'share'), 'portal');
      const chunk = 500;
      for (let i = 0; i < result.rows.length; i += chunk) {
        const created = await t.insert(members).values(
          result.rows.slice(i, i + chunk).map((r) => ({
            tenantId,
            groupId,
            fullName: r.fullName,
            role: r.role,
            email: r.email,
            phone: r.phone,
            startDate: r.startDate,
            endDate: r.endDate,
            customFields: r.customFields,
            qrToken: newQrToken(),
            createdAt: at,
            updatedAt: at,
          })),
        ).returning({ id: members.id });
        await deps.events.changed(t, { tenantId, memberIds: created.map((c) => c.id), groupIds: [groupId], change: 'created', source: 'import' });
      }
      changed(groupId);
      await recordAudit(t, tenantId, actor, { action: 'members.imported', targetType: 'group', targetId: groupId, summary: `${result.rows.length} members imported from CSV`, data: { count: result.rows.length, source: 'import' } });
      return { created: result.rows.length };
    });
  }

  return { preview, commit };
}
export type MemberImport = ReturnType<typeof createMemberImport>;

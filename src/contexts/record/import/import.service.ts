import { parse } from 'csv-parse/sync';
import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { readXlsx } from '../../../platform/xlsx.js';
import { assertStorableCells } from '../../../platform/http/input.js';
import { isUtf16Text, utf16Refusal } from '../../../platform/csv.js';
import { assertLevel, orgAccessOf } from '../access.js';
import { loadModel } from '../record.repo.js';
import { prepare, type PreparedModel } from '../engine.js';
import { parseUkDate, todayIn } from '../rules/dates.js';
import { FIRST_DAY, LAST_DAY, isDayInRange } from '../../../platform/http/dates.js';
import type { ProfilesService } from '../profiles/profiles.service.js';
import type { ProfileCreateInput } from '../profiles/profiles.schemas.js';

/**
 * Importing the record a school keeps today (a spreadsheet): read CSV or XLSX, guess a column
 * mapping, preview, list every bad row with its reason, and write nothing unless all are valid.
 */
export type ImportDeps = Pick<Platform, 'db' | 'now'>;
export type Mapping = Record<string, string | null>;
export type RowError = { row: number; column: string | null; message: string };

const PROFILE_TARGETS: Array<{ target: string; label: string; synonyms: string[] }> = [
  { target: 'fullName', label: 'Full name (first and last)', synonyms: ['name', 'full name', 'staff name', 'person'] },
  { target: 'firstName', label: 'First name', synonyms: ['first name', 'forename', 'forenames', 'given name', 'first'] },
  { target: 'lastName', label: 'Last name', synonyms: ['last name', 'surname', 'family name', 'last'] },
  { target: 'dateOfBirth', label: 'Date of birth', synonyms: ['date of birth', 'dob', 'birth date', 'd o b'] },
  { target: 'email', label: 'Email', synonyms: ['email', 'email address', 'e mail'] },
  { target: 'phone', label: 'Phone', synonyms: ['phone', 'telephone', 'mobile', 'phone number', 'tel'] },
  { target: 'role', label: 'Role', synonyms: ['role', 'job title', 'position', 'post', 'job'] },
  { target: 'startDate', label: 'Start date', synonyms: ['start date', 'started', 'date started', 'start', 'date of appointment', 'appointment date'] },
  { target: 'leavingDate', label: 'Leaving date', synonyms: ['leaving date', 'left', 'end date', 'date left'] },
  { target: 'profileType', label: 'Profile type', synonyms: ['profile type', 'type', 'staff type', 'category', 'staff category'] },
];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
const YES = new Set(['yes', 'y', 'true', '1', 'x', '✓', 'done', 'ok']);
const NO = new Set(['no', 'n', 'false', '0']);

export function targetsOf(m: PreparedModel, organisationId: string) {
  const out = PROFILE_TARGETS.map(({ target, label }) => ({ target, label }));
  for (const f of m.facts) out.push({ target: `fact.${f.key}`, label: `About the post: ${f.name}` });
  for (const c of m.checks) {
    if (!c.enabled || c.type === 'document' || (c.organisationId && c.organisationId !== organisationId)) continue;
    out.push({ target: `check.${c.key}`, label: c.name });
    if (c.referenceLabel) out.push({ target: `check.${c.key}.reference`, label: `${c.name}: ${c.referenceLabel.toLowerCase()}` });
  }
  return out;
}

/** Sensible guesses: known synonyms, then a check's name or its reference label. */
export function guessMapping(columns: string[], m: PreparedModel, organisationId: string): Mapping {
  const used = new Set<string>();
  const mapping: Mapping = {};
  const checks = m.checks.filter((c) => c.enabled && c.type !== 'document' && (!c.organisationId || c.organisationId === organisationId));
  for (const col of columns) {
    const n = norm(col);
    let target: string | null = PROFILE_TARGETS.find((t) => t.synonyms.includes(n))?.target ?? null;
    if (!target) {
      const ref = checks.find((c) => c.referenceLabel && (n.includes(norm(c.referenceLabel)) || (n.includes('number') && n.includes(norm(c.name).split(' ').at(-1)!))));
      if (ref && (n.includes('number') || n.includes(norm(ref.referenceLabel!)))) target = `check.${ref.key}.reference`;
    }
    if (!target) {
      const fact = m.facts.find((f) => norm(f.name) === n || norm(f.key) === n);
      if (fact) target = `fact.${fact.key}`;
    }
    if (!target) {
      const exact = checks.find((c) => norm(c.name) === n || norm(c.key) === n);
      const partial = checks.filter((c) => n.includes(norm(c.name)) || (norm(c.name).includes(n) && n.length >= 3)).sort((a, b) => b.name.length - a.name.length)[0];
      const hit = exact ?? partial;
      if (hit) target = `check.${hit.key}`;
    }
    if (target && used.has(target)) target = null;
    if (target) used.add(target);
    mapping[col] = target;
  }
  // A full name only when first and last are not both there.
  if (Object.values(mapping).includes('firstName') && Object.values(mapping).includes('lastName')) {
    for (const [col, t] of Object.entries(mapping)) if (t === 'fullName') mapping[col] = null;
  }
  return mapping;
}

export async function readTable(fileName: string, data: Buffer): Promise<{ columns: string[]; rows: string[][] }> {
  const lower = fileName.toLowerCase();
  let table: string[][];
  if (lower.endsWith('.xlsx')) {
    if (data.subarray(0, 2).toString('latin1') !== 'PK') throw badRequest('invalid_file', 'This is not an XLSX workbook', 'file');
    const sheets = await readXlsx(data);
    table = sheets.find((s) => s.rows.length > 0)?.rows ?? [];
  } else if (lower.endsWith('.csv')) {
    if (isUtf16Text(data)) throw utf16Refusal('file');
    let text: string;
    try {
      // Strict: a file saved in another encoding (Excel's plain "CSV" on Windows) would otherwise import "José" as "Jos" + U+FFFD.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
    } catch {
      throw badRequest('invalid_file', 'The CSV file is not UTF-8 text: save it as "CSV UTF-8" and upload it again', 'file');
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      table = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
    } catch (err) {
      throw badRequest('invalid_file', `The CSV file cannot be read: ${(err as Error).message}`, 'file');
    }
  } else {
    throw badRequest('unsupported_file_type', 'Upload a .csv or .xlsx file', 'fileName');
  }
  // The header is the first row with at least two filled cells (sheets often start with a title).
  const headerAt = table.findIndex((r) => r.filter((c) => c.trim() !== '').length >= 2);
  if (headerAt < 0) throw badRequest('empty_file', 'The file has no header row', 'file');
  const columns = table[headerAt]!.map((c, i) => c.trim() || `Column ${i + 1}`);
  const rows = table.slice(headerAt + 1).filter((r) => r.some((c) => c.trim() !== ''));
  if (rows.length > 5000) throw badRequest('too_many_rows', 'At most 5,000 rows per import', 'file');
  assertStorableCells(columns, rows);
  return { columns, rows };
}

export function createImportService(deps: ImportDeps, profiles: ProfilesService) {
  const { db, now } = deps;

  function toInputs(principal: Principal, m: PreparedModel, organisationId: string, columns: string[], rows: string[][], mapping: Mapping, defaultProfileTypeId: string | undefined) {
    const errors: RowError[] = [];
    const inputs: Array<{ row: number; input: ProfileCreateInput }> = [];
    const types = [...m.profileTypes.values()];
    const checks = new Map(m.checks.map((c) => [c.key, c]));
    const mapped = Object.entries(mapping).filter(([, t]) => t);
    const targets = new Set(mapped.map(([, t]) => t));
    if (!targets.has('fullName') && !(targets.has('firstName') && targets.has('lastName'))) {
      throw badRequest('mapping_incomplete', 'Map the first and last name (or a full name) columns', 'mapping');
    }
    if (!targets.has('profileType') && !defaultProfileTypeId) throw badRequest('mapping_incomplete', 'Map a profile type column or choose a profile type for every row', 'mapping');
    rows.forEach((cells, i) => {
      const row = i + 2;
      const rowErrors: RowError[] = [];
      const input: ProfileCreateInput = { organisationId, profileTypeId: defaultProfileTypeId ?? '', firstName: '', lastName: '', checks: {} };
      const fail = (column: string, message: string) => rowErrors.push({ row, column, message });
      for (const [col, target] of mapped) {
        const raw = (cells[columns.indexOf(col)] ?? '').trim();
        if (raw === '') continue;
        const date = () => {
          const d = parseUkDate(raw);
          if (!d) fail(col, `"${raw}" is not a date (use e.g. 31/01/2024 or 31-Jan-2024)`);
          else if (!isDayInRange(d)) fail(col, `"${raw}" is not a date between ${FIRST_DAY} and ${LAST_DAY}`);
          return d && isDayInRange(d) ? d : null;
        };
        switch (target) {
          case 'fullName': {
            const parts = raw.includes(',') ? raw.split(',').map((s) => s.trim()).reverse() : raw.split(/\s+/);
            input.firstName = parts.slice(0, -1).join(' ') || parts[0]!;
            input.lastName = parts.length > 1 ? parts.at(-1)! : '';
            break;
          }
          case 'firstName':
          case 'lastName':
          case 'email':
          case 'phone':
          case 'role':
            input[target] = raw;
            break;
          case 'dateOfBirth':
          case 'startDate':
          case 'leavingDate':
            input[target] = date();
            break;
          case 'profileType': {
            const t = types.find((x) => norm(x.name) === norm(raw) || x.key === raw.toLowerCase() || norm(x.name).startsWith(norm(raw)));
            if (!t) fail(col, `Unknown profile type "${raw}"`);
            else input.profileTypeId = t.id;
            break;
          }
          default: {
            const factKey = /^fact\.([^.]+)$/.exec(target!)?.[1];
            if (factKey) {
              const v = norm(raw);
              input.facts ??= {};
              if (YES.has(v) || YES.has(raw)) input.facts[factKey] = true;
              else if (NO.has(v)) input.facts[factKey] = false;
              else fail(col, `"${raw}" is not yes or no`);
              break;
            }
            const [, key, sub] = /^check\.([^.]+)(?:\.(reference))?$/.exec(target!) ?? [];
            const check = key ? checks.get(key) : undefined;
            if (!check) {
              fail(col, `Unknown target "${target}"`);
              break;
            }
            const entry = (input.checks[check.key] ??= { value: null });
            if (sub === 'reference') {
              entry.reference = raw;
              break;
            }
            if (check.type === 'yesno') {
              const v = norm(raw);
              if (YES.has(v) || YES.has(raw)) entry.value = true;
              else if (NO.has(v)) entry.value = false;
              else fail(col, `"${raw}" is not yes or no`);
            } else if (check.type === 'date') {
              entry.value = date();
            } else {
              entry.value = raw;
            }
          }
        }
      }
      if (!input.firstName || !input.lastName) rowErrors.push({ row, column: null, message: 'First and last name are required' });
      if (!input.profileTypeId) rowErrors.push({ row, column: null, message: 'Profile type is required' });
      // A reference with no value (e.g. a DBS number without its date) is kept for the check's validation.
      for (const [key, v] of Object.entries(input.checks)) if (v && v.value === null && !v.reference) delete input.checks[key];
      if (rowErrors.length === 0) {
        const columnOf = (field: string) => {
          const key = /^checks\.([^.]+)/.exec(field)?.[1];
          const fact = /^facts\.([^.]+)/.exec(field)?.[1];
          const target = key ? `check.${key}` : fact ? `fact.${fact}` : field;
          return mapped.find(([, t]) => t === target)?.[0] ?? null;
        };
        for (const issue of profiles.problemsOfNew(m, orgAccessOf(principal), input, todayIn(now()))) {
          rowErrors.push({ row, column: columnOf(issue.field), message: issue.message });
        }
      }
      errors.push(...rowErrors);
      if (rowErrors.length === 0) inputs.push({ row, input });
    });
    return { inputs, errors };
  }

  async function prepareImport(principal: Principal, body: { organisationId: string; fileName: string; content: string; mapping?: Mapping; profileTypeId?: string }) {
    const m = prepare(await loadModel(db, principal.tenantId));
    if (!m.organisations.has(body.organisationId)) throw notFound('Organisation');
    assertLevel(orgAccessOf(principal), body.organisationId, 'edit', 'Organisation');
    const data = Buffer.from(body.content, 'base64');
    const { columns, rows } = await readTable(body.fileName, data);
    const mapping = body.mapping ?? guessMapping(columns, m, body.organisationId);
    const unknownCol = Object.keys(mapping).find((c) => !columns.includes(c));
    if (unknownCol) throw badRequest('unknown_column', `The file has no column "${unknownCol}"`, `mapping.${unknownCol}`);
    const valid = new Set(targetsOf(m, body.organisationId).map((t) => t.target));
    const badTarget = Object.entries(mapping).find(([, t]) => t && !valid.has(t));
    if (badTarget) throw badRequest('unknown_target', `"${badTarget[1]}" is not a field of the record`, `mapping.${badTarget[0]}`);
    const { inputs, errors } = toInputs(principal, m, body.organisationId, columns, rows, mapping, body.profileTypeId);
    return { m, columns, rows, mapping, inputs, errors };
  }

  async function preview(principal: Principal, body: Parameters<typeof prepareImport>[1]) {
    const r = await prepareImport(principal, body);
    return {
      columns: r.columns,
      mapping: r.mapping,
      targets: targetsOf(r.m, body.organisationId),
      rows: r.rows.length,
      sample: r.rows.slice(0, 10),
      errors: r.errors,
      valid: r.errors.length === 0,
    };
  }

  /** Writes every row in one transaction, or nothing: 400 listing every bad row. */
  async function commit(principal: Principal, actor: Actor, body: Parameters<typeof prepareImport>[1]) {
    const r = await prepareImport(principal, body);
    if (r.errors.length) {
      throw new AppError(400, 'import_invalid', `${new Set(r.errors.map((e) => e.row)).size} of ${r.rows.length} rows cannot be imported; nothing was saved`, { extra: { errors: r.errors } });
    }
    await inTransaction(db, async (t) => {
      for (const { input } of r.inputs) await profiles.create(principal, actor, input, t, { audit: false });
      await recordAudit(t, principal.tenantId, actor, { action: 'record.imported', targetType: 'record_organisation', targetId: body.organisationId, summary: `${r.inputs.length} profiles imported from ${body.fileName}`, data: { mapping: r.mapping } });
    });
    return { created: r.inputs.length };
  }

  return { preview, commit };
}

export type ImportService = ReturnType<typeof createImportService>;

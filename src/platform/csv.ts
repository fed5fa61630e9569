import { stringify } from 'csv-stringify/sync';

/**
 * CSV output for people to open in a spreadsheet. A cell starting with = + - @ (or a tab or
 * carriage return) would run as a formula, so it gets a leading apostrophe (OWASP CSV injection).
 */
export function neutraliseCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = value instanceof Date ? value.toISOString() : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** A whole CSV document: header row, then rows, every cell neutralised. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return stringify([header.map(neutraliseCell), ...rows.map((r) => r.map(neutraliseCell))], { record_delimiter: '\r\n' });
}

/** Rows of a CSV document streamed in parts (the header is a row like any other): each cell neutralised. */
export function csvRows(rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return rows.length === 0 ? '' : stringify(rows.map((r) => r.map(neutraliseCell)), { record_delimiter: '\r\n' });
}

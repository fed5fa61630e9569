import { stringify } from 'csv-stringify/sync';
import { badRequest } from './errors.js';

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

/**
 * Whether an uploaded file is UTF-16 text (Excel's "Unicode Text", some exports' "CSV"), as bytes
 * or as text read from them as UTF-8 (what a browser's `file.text()` sends): a UTF-16 byte order
 * mark (FF FE or FE FF; read as UTF-8, two U+FFFD) with a NUL among the first characters, or NULs
 * between the letters (at least one character in eight of the first 2,048; UTF-8 text has none).
 */
export function isUtf16Text(data: Uint8Array | string): boolean {
  const text = typeof data === 'string';
  const at = (i: number): number => (text ? data.charCodeAt(i) : (data[i] ?? -1));
  if (!text && ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))) return true;
  const bom = text && data.startsWith('\ufffd\ufffd');
  const end = Math.min(data.length, 2048);
  let nuls = 0;
  for (let i = 0; i < end; i++) {
    if (at(i) !== 0) continue;
    if (bom && i < 16) return true;
    nuls++;
  }
  return end >= 4 && nuls * 8 >= end;
}

/** The refusal of a UTF-16 upload, saying how to mend it. */
export const utf16Refusal = (field?: string) => badRequest('csv_utf16', "This file is UTF-16 text; save it as 'CSV UTF-8' and upload it again", field);

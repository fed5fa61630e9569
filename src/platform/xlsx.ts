import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * The one door to exceljs: write a workbook of plain sheets (streamed, so a large record does
 * not sit in memory twice) and read the cells of an uploaded one as text.
 */
export type Sheet = {
  name: string;
  header: readonly string[];
  rows: Iterable<ReadonlyArray<string | number | boolean | null>>;
  /** Column widths in characters (optional). */
  widths?: readonly number[];
};

/** Sheet names: at most 31 characters, none of : \ / ? * [ ], unique within the workbook. */
export function safeSheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

export async function writeXlsx(sheets: readonly Sheet[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const taken = new Set<string>();
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(safeSheetName(sheet.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.header.map((h, i) => ({ header: h, width: sheet.widths?.[i] ?? Math.min(40, Math.max(12, h.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for (const row of sheet.rows) ws.addRow([...row]).commit();
    ws.commit();
  }
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v);
};

/** Reads every sheet's cells as text (dates as YYYY-MM-DD), rows trimmed of empty trailing ones. */
export async function readXlsx(data: Buffer): Promise<Array<{ name: string; rows: string[][] }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => {
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      const values: string[] = [];
      for (let c = 1; c <= ws.columnCount; c++) values.push(cellText(row.getCell(c).value).trim());
      rows.push(values);
    });
    while (rows.length && rows.at(-1)!.every((c) => c === '')) rows.pop();
    return { name: ws.name, rows };
  });
}

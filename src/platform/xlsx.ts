import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { badRequest } from './errors.js';

/**
 * The one door to spreadsheets: write a workbook of plain sheets with exceljs (streamed, so a
 * large record does not sit in memory twice) and read the cells of an uploaded one as text (in a
 * bounded worker thread of our own: exceljs builds every row and cell before any bound can be
 * checked).
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
  // Loaded on first use: exceljs alone is a third of the server's start-up module loading.
  const { default: ExcelJS } = await import('exceljs');
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

export type XlsxReadLimits = {
  /** Highest row number holding a value. */
  maxRows: number;
  /** Highest column number holding a value (256 = IV). */
  maxColumns: number;
  /** Filled cells (and shared strings) in the whole workbook. */
  maxCells: number;
  /** Bytes of XML after decompression, all parts together. */
  maxBytes: number;
  /** The worker is stopped past this, and the file refused. */
  timeLimitMs: number;
};

export const XLSX_READ_LIMITS: XlsxReadLimits = { maxRows: 10_000, maxColumns: 256, maxCells: 500_000, maxBytes: 64 * 1024 * 1024, timeLimitMs: 20_000 };

const WORKER = new URL('./xlsx-read.worker.mjs', import.meta.url);

type WorkerAnswer = { ok: true; sheets: Array<{ name: string; rows: string[][] }> } | { ok: false; code: string; message: string };

/**
 * Reads every sheet's cells as text (dates as YYYY-MM-DD), rows trimmed of empty trailing ones.
 * The work happens in a worker thread (xlsx-read.worker.mjs) that reads the sheet XML in one
 * linear pass and checks rows, columns, cells and uncompressed size before building anything,
 * so a hostile or huge workbook never holds up this thread; past the time limit the worker is
 * stopped. Anything unreadable is a 400 on `file`.
 */
export function readXlsx(data: Buffer, limits: XlsxReadLimits = XLSX_READ_LIMITS): Promise<Array<{ name: string; rows: string[][] }>> {
  const { timeLimitMs, ...bounds } = limits;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { kind: 'threshold-xlsx-read', data: new Uint8Array(data), limits: bounds } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(badRequest('file_too_complex', `The workbook could not be read within ${Math.round(timeLimitMs / 1000)} seconds`, 'file'))),
      timeLimitMs,
    );
    worker.once('message', (answer: WorkerAnswer) =>
      finish(() => (answer.ok ? resolve(answer.sheets) : reject(badRequest(answer.code, answer.message, 'file')))),
    );
    worker.once('error', () => finish(() => reject(badRequest('invalid_file', 'This is not an XLSX workbook (it cannot be read)', 'file'))));
    worker.once('exit', () => finish(() => reject(badRequest('invalid_file', 'This is not an XLSX workbook (it cannot be read)', 'file'))));
  });
}

import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readXlsx, safeSheetName, writeXlsx, XLSX_READ_LIMITS } from './xlsx.js';
import { workbookOf, zipOf } from '../../test/zip.js';

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; code: string; field: string; message: string };
    return { status: e.status, code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected a failure');
};

describe('xlsx', () => {
  it('writes sheets and reads them back as text', async () => {
    const buf = await writeXlsx([
      { name: 'St Mary’s: Upper/Lower', header: ['Name', 'Date'], rows: [['Ada', '2024-01-31'], ['=cmd', null]] },
      { name: 'Other', header: ['A'], rows: [[1]] },
    ]);
    const sheets = await readXlsx(buf);
    expect(sheets.map((s) => s.name)).toEqual(['St Mary’s  Upper Lower', 'Other']);
    expect(sheets[0]!.rows).toEqual([['Name', 'Date'], ['Ada', '2024-01-31'], ['=cmd', '']]);
    expect(sheets[1]!.rows).toEqual([['A'], ['1']]);
  });

  it('reads what spreadsheet programs write: shared and rich text, dates, numbers, booleans, formulas, gaps', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Staff');
    ws.getCell('A1').value = 'Surname';
    ws.getCell('B1').value = { richText: [{ text: 'Start ' }, { font: { bold: true }, text: 'date' }] };
    ws.getCell('C1').value = 'Count';
    ws.getCell('A2').value = '  Lovelace & <Byron>  ';
    ws.getCell('B2').value = new Date(Date.UTC(2020, 8, 1));
    ws.getCell('C2').value = 1.5;
    ws.getCell('D2').value = true;
    ws.getCell('E2').value = { formula: 'C2*2', result: 3 };
    ws.getCell('B4').value = new Date(Date.UTC(1999, 11, 31));
    ws.getCell('B4').numFmt = 'dd/mm/yyyy';
    const sheets = await readXlsx(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(sheets).toEqual([
      {
        name: 'Staff',
        rows: [
          ['Surname', 'Start date', 'Count', '', ''],
          ['Lovelace & <Byron>', '2020-09-01', '1.5', 'true', '3'],
          ['', '', '', '', ''],
          ['', '1999-12-31', '', '', ''],
        ],
      },
    ]);
  });

  it('reads inline strings, rows and cells without references, and 1904 dates', async () => {
    const data = workbookOf('<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><r><t>b</t></r><r><t xml:space="preserve">c</t></r></is></c></row><row r="3"><c r="C3" s="1"><v>0</v></c></row>', {
      'xl/styles.xml': '<styleSheet><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>',
      'xl/workbook.xml': '<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>',
    });
    expect(await readXlsx(data)).toEqual([{ name: 'Staff', rows: [['a', 'bc', ''], ['', '', ''], ['', '', '1904-01-01']] }]);
  });

  it('checks the bounds before building anything: a far row or column, too many cells, too many bytes', async () => {
    // The workbook from the report: one cell far away used to build every row before any check.
    const farRow = workbookOf(`<row r="${XLSX_READ_LIMITS.maxRows + 1}"><c r="A${XLSX_READ_LIMITS.maxRows + 1}" t="inlineStr"><is><t>x</t></is></c></row>`);
    expect(await failure(readXlsx(farRow))).toMatchObject({ status: 400, code: 'file_too_large', field: 'file', message: expect.stringMatching(/row 10001/) });
    const farColumn = workbookOf('<row r="1"><c r="ZZ1"><v>1</v></c></row>');
    expect(await failure(readXlsx(farColumn))).toMatchObject({ status: 400, code: 'file_too_large', message: expect.stringMatching(/column 702/) });
    const many = workbookOf(`<row r="1">${'<c><v>1</v></c>'.repeat(200)}</row>`);
    expect(await failure(readXlsx(many, { ...XLSX_READ_LIMITS, maxCells: 100 }))).toMatchObject({ code: 'file_too_large', message: expect.stringMatching(/100 filled cells/) });
    // A zip bomb: a few KB that inflate to 100 MB.
    const bomb = workbookOf(`<row r="1"><c><v>1</v></c></row>${' '.repeat(100 * 1024 * 1024)}`);
    expect(bomb.length).toBeLessThan(200_000);
    expect(await failure(readXlsx(bomb))).toMatchObject({ status: 400, code: 'file_too_large', message: expect.stringMatching(/uncompressed/) });
  });

  it('a file that starts with PK but is not a workbook is a 400 invalid_file', async () => {
    for (const data of [
      Buffer.from('PK\u0003\u0004 not really a zip'),
      zipOf({ 'hello.txt': 'hello' }),
      zipOf({ 'xl/workbook.xml': '<workbook' }).subarray(0, 30),
      Buffer.concat([Buffer.from('PK'), Buffer.alloc(5000, 0xff)]),
    ]) {
      const f = await failure(readXlsx(data));
      expect(f.status).toBe(400);
      expect(['invalid_file', 'file_too_large']).toContain(f.code);
      expect(f.field).toBe('file');
    }
  });

  it('stops the worker past its time limit (400 file_too_complex)', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `<row r="${i + 1}"><c t="inlineStr"><is><t>n${i}</t></is></c></row>`).join('');
    expect(await failure(readXlsx(workbookOf(rows), { ...XLSX_READ_LIMITS, timeLimitMs: 1 }))).toMatchObject({ status: 400, code: 'file_too_complex' });
  });

  it('reads off the event loop: this thread keeps turning while a large workbook is read', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Big');
    for (let r = 1; r <= 5000; r++) ws.addRow(Array.from({ length: 12 }, (_, c) => `r${r}c${c} some text`));
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      const sheets = await readXlsx(data);
      expect(sheets[0]!.rows).toHaveLength(5000);
      expect(sheets[0]!.rows[4999]![11]).toBe('r5000c11 some text');
    } finally {
      clearInterval(timer);
    }
    expect(turns).toBeGreaterThan(3);
  });

  it('makes sheet names safe and unique', () => {
    const taken = new Set<string>();
    expect(safeSheetName('A'.repeat(40), taken)).toHaveLength(31);
    expect(safeSheetName('A'.repeat(40), taken)).toBe(`${'A'.repeat(29)} 2`);
  });
});

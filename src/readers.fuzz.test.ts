import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './platform/errors.js';
import { readXlsx, writeXlsx } from './platform/xlsx.js';
import { readTable } from './contexts/record/import/import.service.js';
import { previewImport } from './contexts/signin/members/members.import.js';
import { fuzzParams, nastyString } from '../test/fuzz.js';
import { workbookOf, zipOf } from '../test/zip.js';

/** A reader may answer or refuse with a 4xx AppError; anything else (a TypeError, a hang, a 5xx) fails. */
async function answersOrRefuses(run: () => unknown) {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
  }
}

const table = fc.array(fc.array(nastyString, { maxLength: 6 }), { maxLength: 8 });
const csvOf = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n');

describe('fuzz: the CSV and XLSX readers', () => {
  it('CSV files, well-formed and not: a table or a 400, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(table.map(csvOf), fc.string({ unit: 'binary', maxLength: 300 })), async (csv) => {
        await answersOrRefuses(() => readTable('x.csv', Buffer.from(csv)));
        await answersOrRefuses(() => previewImport(`fullName,role,email\n${csv}`));
        await answersOrRefuses(() => previewImport(csv));
      }),
      fuzzParams(150),
    );
  });

  it('workbooks we write read back cell for cell (text that can be stored)', async () => {
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot hold these characters at all
    const cell = nastyString.filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/.test(s));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), async (rows) => {
        const [sheet] = await readXlsx(await writeXlsx([{ name: 'S', header: ['A', 'B'], rows }]));
        const expected = [['A', 'B'], ...rows.map((r) => r.map((c) => c.trim()))];
        while (expected.length && expected.at(-1)!.every((c) => c === '')) expected.pop();
        expect(sheet!.rows.map((r) => [r[0] ?? '', r[1] ?? ''])).toEqual(expected);
      }),
      fuzzParams(15),
    );
  });

  it('corrupted, truncated and hand-made workbooks: sheets or a 400, never a crash', async () => {
    const good = await writeXlsx([{ name: 'S', header: ['Forename', 'Surname'], rows: [['Ada', 'Lovelace'], ['Grace', 'Hopper']] }]);
    const corrupt = fc.tuple(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }), fc.nat(good.length)).map(([flips, cut]) => {
      const b = Buffer.from(good);
      for (const [at, v] of flips) b[at] = v;
      return b.subarray(0, Math.max(cut, 2));
    });
    const xmlBits = fc.constantFrom('<row r="1">', '</row>', '<c r="A1" t="s"><v>', '<c r="XFD1048576">', '<v>1e308</v>', '</c>', '<is><t>x</t></is>', '&amp;', '&#0;', '&#xD800;', '<row r="-1">', '<c t="inlineStr">', '<<', '"');
    const handMade = fc.array(xmlBits, { maxLength: 30 }).map((bits) => workbookOf(bits.join('')));
    const randomZip = fc.dictionary(fc.constantFrom('xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'), fc.string({ maxLength: 200 })).map((e) => zipOf(e));
    await fc.assert(
      fc.asyncProperty(fc.oneof(corrupt, handMade, randomZip), async (data) => {
        await answersOrRefuses(() => readXlsx(data));
      }),
      fuzzParams(40),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { readXlsx, safeSheetName, writeXlsx } from './xlsx.js';

describe('xlsx', () => {
  it('writes sheets and reads them back as text', async () => {
    const buf = await writeXlsx([
      { name: 'St Mary’s: Upper/Lower', header: ['Name', 'Date'], rows: [['Ada', '2024-01-31'], ['=cmd', null]] },
      { name: 'Other', header: ['A'], rows: [[1]] },
    ]);
    const sheets = await readXlsx(buf);
    expect(sheets.map((s) => s.name)).toEqual(['St Mary’s  Upper Lower', 'Other']);
    expect(sheets[0]!.rows).toEqual([['Name', 'Date'], ['Ada', '2024-01-31'], ['=cmd', '']]);
  });
  it('makes sheet names safe and unique', () => {
    const taken = new Set<string>();
    expect(safeSheetName('A'.repeat(40), taken)).toHaveLength(31);
    expect(safeSheetName('A'.repeat(40), taken)).toBe(`${'A'.repeat(29)} 2`);
  });
});

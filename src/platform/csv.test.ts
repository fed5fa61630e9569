import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv } from './csv.js';

describe('CSV output', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+44 7000', "'+44 7000"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['Ada Lovelace', 'Ada Lovelace'],
    ['<b>bold</b>', '<b>bold</b>'],
    [null, ''],
    [3, '3'],
  ])('neutralises %j', (input, expected) => {
    expect(neutraliseCell(input)).toBe(expected);
  });

  it('quotes commas and quotes and neutralises the header too', () => {
    const out = toCsv(['name', '=h'], [['Smith, "Jo"', '=1+1']]);
    expect(out).toBe('name,\'=h\r\n"Smith, ""Jo""",\'=1+1\r\n');
  });
});

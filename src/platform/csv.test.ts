import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv, isUtf16Text } from './csv.js';

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

describe('isUtf16Text: an upload that is UTF-16, as bytes or as text a browser read as UTF-8', () => {
  const le = (s: string) => Buffer.from(s, 'utf16le');
  const be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const withBom = (bom: number[], b: Buffer) => Buffer.concat([Buffer.from(bom), b]);
  const asRead = (b: Buffer) => new TextDecoder().decode(b);
  it.each<[string, Buffer | string, boolean]>([
    ['UTF-16LE with its mark', withBom([0xff, 0xfe], le('fullName\nAda\n')), true],
    ['UTF-16BE with its mark', withBom([0xfe, 0xff], be('fullName\nAda\n')), true],
    ['UTF-16LE without a mark', le('fullName,role\nAda Lovelace,Teacher\n'), true],
    ['UTF-16BE without a mark', be('fullName,role\nAda Lovelace,Teacher\n'), true],
    ['UTF-16LE with its mark, read as UTF-8', asRead(withBom([0xff, 0xfe], le('fullName\nAda\n'))), true],
    ['UTF-16BE with its mark, read as UTF-8', asRead(withBom([0xfe, 0xff], be('fullName\nAda\n'))), true],
    ['UTF-16LE of Cyrillic names with its mark, read as UTF-8', asRead(withBom([0xff, 0xfe], le(`fullName\n${'Анна Иванова\n'.repeat(200)}`))), true],
    ['UTF-8 text', Buffer.from('fullName\nJosé Álvarez\nАнна\n'), false],
    ['UTF-8 text with its mark', Buffer.from('\ufefffullName\nAda\n'), false],
    ['Latin-1 text read as UTF-8', asRead(Buffer.from('fullName\nJos\xe9\n', 'latin1')), false],
    ['one stray NUL in a long UTF-8 text', `fullName\n${'Ada Lovelace\n'.repeat(50)}\u0000`, false],
    ['empty', '', false],
  ])('%s: %s', (_label, data, utf16) => {
    expect(isUtf16Text(data)).toBe(utf16);
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { previewImport } from './members.import.js';

function refusal(csv: string): AppError {
  try {
    previewImport(csv);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('previewImport accepted the file');
}

describe('member CSV import: the header', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses a field:%s column by name (it was dropped without a word)', (key) => {
    const err = refusal(`fullName,field:${key}\nAnn Lee,x`);
    expect(err.status).toBe(400);
    expect(err.code).toBe('csv_reserved_columns');
    expect(err.message).toContain(`field:${key}`);
    expect(err.details.extra).toEqual({ columns: [`field:${key}`] });
  });

  it('names every column given more than once (the last one silently won)', () => {
    const err = refusal('fullName,field:dbs,email,field:dbs,fullName\nAnn,1,a@example.org,2,Bo');
    expect(err.status).toBe(400);
    expect(err.code).toBe('csv_duplicate_columns');
    expect(err.details.extra).toEqual({ columns: ['field:dbs', 'fullName'] });
  });

  it('still takes ordinary custom field columns', () => {
    const preview = previewImport('fullName,field:dbs,field:proto_type,field:Constructor_2\nAnn Lee,DBS-1,a,b');
    expect(preview.valid).toBe(true);
    expect(preview.rows[0]!.customFields).toEqual({ dbs: 'DBS-1', proto_type: 'a', Constructor_2: 'b' });
  });
});

import { describe, expect, it } from 'vitest';
import { ORGANISATION_TYPES } from '../../../../src/common/organisation-types';
import { ORGANISATION_TYPE_OPTIONS } from './organisationTypes';

describe('the organisation type picker', () => {
  it('offers every type the server knows, in its order, each with a label', () => {
    expect(ORGANISATION_TYPE_OPTIONS.map((o) => o.value)).toEqual([...ORGANISATION_TYPES]);
    for (const o of ORGANISATION_TYPE_OPTIONS) expect(o.label.trim(), o.value).not.toBe('');
  });

  it('lists non-maintained special schools by name', () => {
    expect(ORGANISATION_TYPE_OPTIONS).toContainEqual({ value: 'non_maintained_special', label: 'Non-maintained special school' });
  });
});

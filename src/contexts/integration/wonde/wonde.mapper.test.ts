import { describe, expect, it } from 'vitest';
import { DEFAULT_WONDE_MAPPING, mapWondeEmployee, wondeDay, wondeFieldMappingSchema } from './wonde.mapper.js';
import { fakeEmployee, wondeDate } from './test/fake-wonde.js';

describe('Wonde employee mapping', () => {
  it('maps names, work email first, job title, dates and the UPI with the defaults', () => {
    const e = fakeEmployee({
      id: 'A1',
      upi: 'UPI-1',
      forename: 'Sam',
      surname: 'Jones',
      legal_forename: 'Samantha',
      teaching: false,
      role: 'Librarian',
      start: '2020-09-01',
      end: '2026-07-31',
      date_of_birth: wondeDate('1980-02-03T00:00:00Z'),
    });
    e.contact_details!.data!.emails = { email: 'personal@x.test', primary: null, home: null, work: 'Sam.Jones@School.test' };
    const p = mapWondeEmployee(e);
    expect(p).toMatchObject({
      wondeId: 'A1',
      externalId: 'UPI-1',
      firstName: 'Sam',
      lastName: 'Jones',
      legalFirstName: 'Samantha',
      fullName: 'Sam Jones',
      email: 'sam.jones@school.test',
      role: 'Librarian',
      startDate: '2020-09-01',
      endDate: '2026-07-31',
      dateOfBirth: '1980-02-03',
      teachingStaff: false,
      current: true,
      profileTypeId: null,
    });
  });

  it('falls back through the source list and honours a custom mapping', () => {
    const e = fakeEmployee({ forename: null, legal_forename: 'Legal', surname: 'S', email: null });
    expect(mapWondeEmployee(e).firstName).toBe('Legal');
    expect(mapWondeEmployee(e).email).toBeNull();
    const teaching = '11111111-1111-4111-8111-111111111111';
    const mapping = wondeFieldMappingSchema.parse({ fields: { firstName: ['legal_forename', 'forename'] }, teachingProfileTypeId: teaching });
    const p = mapWondeEmployee(fakeEmployee({ forename: 'Pref', legal_forename: 'Leg', teaching: true }), mapping);
    expect(p.firstName).toBe('Leg');
    expect(p.profileTypeId).toBe(teaching);
    expect(p.role).toBe('Teacher');
  });

  it('teaching staff flag without a job title still gives a role; no employment block is not teaching', () => {
    const e = fakeEmployee({ teaching: true });
    e.employment_details!.data!.job_title = null;
    expect(mapWondeEmployee(e).role).toBe('Teacher');
    const bare = fakeEmployee();
    delete bare.employment_details;
    expect(mapWondeEmployee(bare, DEFAULT_WONDE_MAPPING)).toMatchObject({ teachingStaff: false, current: true, role: '' });
  });

  it('rejects an unknown source path', () => {
    expect(wondeFieldMappingSchema.safeParse({ fields: { email: ['contact_details.data.emails.fax'] } }).success).toBe(false);
  });

  it('reads Wonde dates', () => {
    expect(wondeDay({ date: '2024-09-01 00:00:00.000000', timezone_type: 3, timezone: 'UTC' })).toBe('2024-09-01');
    expect(wondeDay(null)).toBeNull();
    expect(wondeDay('garbage')).toBeNull();
  });
});

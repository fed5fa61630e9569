import { describe, expect, it } from 'vitest';
import { contactChoices, contactsError, contactsNotTold, whyNotTold, withoutContactsErrors, type ContactCandidate } from './contacts';

const ada: ContactCandidate = { id: 'u-ada', name: 'Ada Office', email: 'ada@north.test', reaches: true, disabled: false, contact: false };
const bo: ContactCandidate = { id: 'u-bo', name: '', email: 'bo@north.test', reaches: true, disabled: false, contact: true };
const moved: ContactCandidate = { id: 'u-moved', name: 'Mo Ved', email: 'mo@south.test', reaches: false, disabled: false, contact: true };
const off: ContactCandidate = { id: 'u-off', name: 'Di Sabled', email: 'di@north.test', reaches: true, disabled: true, contact: true };

describe('the group contact picker', () => {
  it('offers the users the server offers, and marks a contact who no longer reaches the group’s sites', () => {
    expect(contactChoices([ada, bo, moved], ['u-bo', 'u-moved'])).toEqual([
      { value: 'u-ada', label: 'Ada Office (ada@north.test)' },
      { value: 'u-bo', label: 'bo@north.test' },
      { value: 'u-moved', label: 'Mo Ved (mo@south.test) — reaches none of this group’s sites: remove' },
    ]);
    expect(contactsNotTold([ada, bo, moved], ['u-bo', 'u-moved'])).toEqual([moved]);
  });

  it('once taken off, a contact out of reach cannot be picked again; a chosen id the server does not know stays, to be removed', () => {
    expect(contactChoices([ada, moved], ['u-gone'])).toEqual([
      { value: 'u-ada', label: 'Ada Office (ada@north.test)' },
      { value: 'u-moved', label: 'Mo Ved (mo@south.test) — reaches none of this group’s sites: remove', disabled: true },
      { value: 'u-gone', label: 'A user no longer in this account', disabled: true },
    ]);
    expect(contactsNotTold([ada, moved], ['u-ada'])).toEqual([]);
  });

  it('marks a contact whose account is disabled, names them among those not told, and, once taken off, does not offer them again', () => {
    expect(contactChoices([ada, off], ['u-off'])).toEqual([
      { value: 'u-ada', label: 'Ada Office (ada@north.test)' },
      { value: 'u-off', label: 'Di Sabled (di@north.test) — account disabled: remove' },
    ]);
    expect(contactsNotTold([ada, off, moved], ['u-ada', 'u-off', 'u-moved'])).toEqual([off, moved]);
    expect(contactChoices([off], [])).toEqual([{ value: 'u-off', label: 'Di Sabled (di@north.test) — account disabled: remove', disabled: true }]);
    expect(contactChoices([{ ...moved, disabled: true }], ['u-moved'])[0]?.label).toBe('Mo Ved (mo@south.test) — reaches none of this group’s sites: remove; account disabled: remove');
    expect([whyNotTold(off), whyNotTold(moved), whyNotTold({ ...moved, disabled: true }), whyNotTold(ada)]).toEqual([
      'their account is disabled',
      'reaches none of the sites this group is shown at',
      'reaches none of the sites this group is shown at, and their account is disabled',
      '',
    ]);
  });

  it('puts the server’s error on the picker, naming the contact it is about, and drops it when the list changes', () => {
    const message = 'A contact’s account does not reach any site this group is shown at: they would never be told';
    expect(contactsError({ 'contactIds.1': message }, ['u-ada', 'u-moved'], [ada, moved])).toBe(`Mo Ved (mo@south.test): ${message}`);
    expect(contactsError({ contactIds: 'Too many' }, [], [])).toBe('Too many');
    expect(contactsError({ name: 'Required' }, [], [])).toBeUndefined();
    expect(withoutContactsErrors({ 'contactIds.1': message, contactIds: 'x', name: 'Required', contactIdsOther: 'kept' })).toEqual({ name: 'Required', contactIdsOther: 'kept' });
  });
});

import { describe, expect, it } from 'vitest';
import { applyPatch, parsePatchBody } from './patch.js';
import { canonicalDoc, type Doc } from './canonical.js';
import { groupResource, URN, userResource } from '../scim.schema.js';
import { AppError } from '../../../platform/errors.js';

const ENT = URN.enterprise;
const base = (): Doc =>
  canonicalDoc(userResource, {
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    displayName: 'Babs Jensen',
    title: 'Teacher',
    active: true,
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '555-1', type: 'work' }],
    [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-1' } },
  });

const patch = (ops: unknown[], doc = base(), res = userResource) => applyPatch(res, doc, parsePatchBody({ schemas: [URN.patchOp], Operations: ops }));

/** [name, operations, expected changes relative to base() (undefined = attribute removed)] */
const cases: Array<[string, unknown[], Record<string, unknown>]> = [
  ['Okta: replace with no path and {active:false}', [{ op: 'replace', value: { active: false } }], { active: false }],
  ['Entra: op in any case, "False" string', [{ op: 'Replace', path: 'active', value: 'False' }], { active: false }],
  ['Entra: "True" string', [{ op: 'REPLACE', path: 'active', value: 'True' }], { active: true }],
  ['simple path replace', [{ op: 'replace', path: 'title', value: 'Head' }], { title: 'Head' }],
  ['attribute names in any case', [{ op: 'replace', path: 'DisplayName', value: 'B' }], { displayName: 'B' }],
  ['"" clears', [{ op: 'Replace', path: 'title', value: '' }], { title: undefined }],
  ['null clears', [{ op: 'replace', path: 'displayName', value: null }], { displayName: undefined }],
  ['remove a simple attribute', [{ op: 'remove', path: 'title' }], { title: undefined }],
  ['sub-attribute path', [{ op: 'replace', path: 'name.givenName', value: 'Babs' }], { name: { givenName: 'Babs', familyName: 'Jensen' } }],
  ['complex replace keeps unspecified sub-attributes', [{ op: 'replace', path: 'name', value: { familyName: 'J' } }], { name: { givenName: 'Barbara', familyName: 'J' } }],
  [
    'Entra: no-path replace with dotted and URN-qualified keys',
    [
      {
        op: 'Replace',
        value: {
          'name.givenName': 'Bea',
          [`${ENT}:department`]: 'Science',
          [`${ENT}:manager`]: 'm-2',
          'emails[type eq "work"].value': 'bea@example.com',
          displayName: 'Bea J',
        },
      },
    ],
    {
      name: { givenName: 'Bea', familyName: 'Jensen' },
      displayName: 'Bea J',
      emails: [{ value: 'bea@example.com', type: 'work', primary: true }],
      [ENT]: { employeeNumber: '42', department: 'Science', manager: { value: 'm-2' } },
    },
  ],
  [
    'value-filter path replaces the matching element',
    [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
    { emails: [{ value: 'new@example.com', type: 'work', primary: true }] },
  ],
  [
    'Entra: sub-attribute name in any case in a filter path',
    [{ op: 'replace', path: 'emails[Type eq "work"].Value', value: 'n@example.com' }],
    { emails: [{ value: 'n@example.com', type: 'work', primary: true }] },
  ],
  [
    'Entra: value-filter add creates the missing element',
    [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '07700' }],
    { phoneNumbers: [{ value: '555-1', type: 'work' }, { type: 'mobile', value: '07700' }] },
  ],
  [
    'remove by value filter',
    [{ op: 'remove', path: 'phoneNumbers[type eq "work"]' }],
    { phoneNumbers: undefined },
  ],
  [
    'two emails of the same type are kept',
    [{ op: 'add', path: 'emails', value: [{ value: 'second@example.com', type: 'work', Primary: 'False' }] }],
    {
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'second@example.com', type: 'work', primary: false },
      ],
    },
  ],
  [
    'enterprise URN path',
    [{ op: 'replace', path: `${ENT}:employeeNumber`, value: '43' }],
    { [ENT]: { employeeNumber: '43', department: 'Maths', manager: { value: 'm-1' } } },
  ],
  [
    'Entra: manager as {value}',
    [{ op: 'Add', path: `${ENT}:manager`, value: { value: 'm-3' } }],
    { [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-3' } } },
  ],
  [
    'Entra: manager as [{value,$ref}]',
    [{ op: 'Replace', path: `${ENT}:manager`, value: [{ value: 'm-4', $ref: '../Users/m-4' }] }],
    { [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-4' } } },
  ],
  [
    'manager "" clears',
    [{ op: 'Replace', path: `${ENT}:manager`, value: '' }],
    { [ENT]: { employeeNumber: '42', department: 'Maths' } },
  ],
  [
    'manager.value path',
    [{ op: 'replace', path: `${ENT}:manager.value`, value: 'm-5' }],
    { [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-5' } } },
  ],
  [
    'whole extension as path',
    [{ op: 'add', path: ENT, value: { costCenter: 'CC1' } }],
    { [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-1' }, costCenter: 'CC1' } },
  ],
  [
    'no-path add with the extension object',
    [{ op: 'add', value: { [ENT]: { division: 'D' }, nickName: 'Babs' } }],
    { nickName: 'Babs', [ENT]: { employeeNumber: '42', department: 'Maths', manager: { value: 'm-1' }, division: 'D' } },
  ],
  [
    'unknown and read-only keys in a no-path value are ignored (Okta sends id)',
    [{ op: 'replace', value: { id: 'x', meta: {}, schemas: [], shoeSize: 9, title: 'T' } }],
    { title: 'T' },
  ],
  ['several operations apply in order', [{ op: 'replace', path: 'title', value: 'A' }, { op: 'replace', path: 'title', value: 'B' }], { title: 'B' }],
];

describe('SCIM PATCH engine (users)', () => {
  it.each(cases)('%s', (_name, ops, changes) => {
    const expected: Doc = { ...base() };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete expected[k];
      else expected[k] = v;
    }
    expect(patch(ops)).toEqual(expected);
  });

  const bad: Array<[string, unknown, string]> = [
    ['no Operations', { schemas: [URN.patchOp] }, 'invalidSyntax'],
    ['unknown op', { Operations: [{ op: 'move', path: 'title' }] }, 'invalidSyntax'],
    ['remove without path', { Operations: [{ op: 'remove' }] }, 'noTarget'],
    ['unknown attribute path', { Operations: [{ op: 'replace', path: 'shoeSize', value: 9 }] }, 'invalidPath'],
    ['malformed path', { Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }, 'invalidPath'],
    ['filter on a single-valued attribute', { Operations: [{ op: 'replace', path: 'title[value eq "x"]', value: 'x' }] }, 'invalidPath'],
    ['unknown sub-attribute in a filter', { Operations: [{ op: 'replace', path: 'emails[colour eq "red"].value', value: 'x' }] }, 'invalidPath'],
    ['read-only path', { Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 'mutability'],
    ['non-boolean active', { Operations: [{ op: 'replace', path: 'active', value: 'perhaps' }] }, 'invalidValue'],
    // null, "" or a remove would leave `active` unassigned, which reads as true: a deactivated user reactivated.
    ['active: null by path', { Operations: [{ op: 'replace', path: 'active', value: null }] }, 'invalidValue'],
    ['active: null in a no-path value', { Operations: [{ op: 'replace', value: { active: null } }] }, 'invalidValue'],
    ['active: null added', { Operations: [{ op: 'add', value: { Active: null } }] }, 'invalidValue'],
    ['active: ""', { Operations: [{ op: 'replace', path: 'active', value: '' }] }, 'invalidValue'],
    ['active: no value at all', { Operations: [{ op: 'replace', path: 'active' }] }, 'invalidValue'],
    ['active removed', { Operations: [{ op: 'remove', path: 'active' }] }, 'invalidValue'],
    ['active: null under its URN', { Operations: [{ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:active': null } }] }, 'invalidValue'],
    ['no-path with a non-object value', { Operations: [{ op: 'replace', value: 'x' }] }, 'invalidValue'],
    ['no element matches a complex filter', { Operations: [{ op: 'replace', path: 'emails[type eq "home" or type eq "other"].value', value: 'x' }] }, 'noTarget'],
  ];
  it.each(bad)('rejects %s', (_name, body, scimType) => {
    let caught: unknown;
    try {
      applyPatch(userResource, base(), parsePatchBody(body));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).details.extra?.scimType).toBe(scimType);
  });

  it('leaves the input document untouched', () => {
    const doc = base();
    const before = structuredClone(doc);
    patch([{ op: 'replace', path: 'title', value: 'X' }], doc);
    expect(doc).toEqual(before);
  });
});

describe('SCIM PATCH engine (groups)', () => {
  const group = (): Doc => canonicalDoc(groupResource, { displayName: 'Staff', members: [{ value: 'a' }, { value: 'b' }] });
  const gpatch = (ops: unknown[]) => patch(ops, group(), groupResource);
  const ids = (d: Doc) => ((d.members as Array<{ value: string }> | undefined) ?? []).map((m) => m.value);

  it('adds members, without duplicates', () => {
    expect(ids(gpatch([{ op: 'add', path: 'members', value: [{ value: 'c' }, { value: 'a', display: 'A' }] }]))).toEqual(['a', 'b', 'c']);
  });
  it('removes a member by filter (Okta)', () => {
    expect(ids(gpatch([{ op: 'remove', path: 'members[value eq "a"]' }]))).toEqual(['b']);
  });
  it("removes members listed in the value (Entra's older shape)", () => {
    expect(ids(gpatch([{ op: 'Remove', path: 'members', value: [{ value: 'b' }] }]))).toEqual(['a']);
  });
  it('replaces all members', () => {
    expect(ids(gpatch([{ op: 'replace', path: 'members', value: [{ value: 'z' }] }]))).toEqual(['z']);
  });
  it('applies several member operations in one request', () => {
    const out = gpatch([
      { op: 'Add', path: 'members', value: [{ value: 'c' }] },
      { op: 'Remove', path: 'members', value: [{ value: 'a' }] },
      { op: 'remove', path: 'members[value eq "b"]' },
    ]);
    expect(ids(out)).toEqual(['c']);
  });
  it('renames with id inside the value (Okta)', () => {
    const out = gpatch([{ op: 'replace', value: { id: 'g1', displayName: 'Staff 2' } }]);
    expect(out.displayName).toBe('Staff 2');
    expect(ids(out)).toEqual(['a', 'b']);
  });
  it('removes all members', () => {
    expect(gpatch([{ op: 'remove', path: 'members' }]).members).toBeUndefined();
  });
});

describe('canonical bodies', () => {
  it('drops password, groups, id, meta and unknown attributes; coerces booleans; keeps extension', () => {
    const doc = canonicalDoc(userResource, {
      schemas: [URN.user, ENT],
      id: 'x',
      meta: { version: 'W/"1"' },
      UserName: 'a@b.c',
      password: 'secret',
      groups: [],
      Active: 'True',
      Emails: [{ Value: 'a@b.c', Type: 'work', Primary: 'true' }],
      [ENT]: { EmployeeNumber: 7, manager: 'm' },
      shoeSize: 9,
    });
    expect(doc).toEqual({
      userName: 'a@b.c',
      active: true,
      emails: [{ value: 'a@b.c', type: 'work', primary: true }],
      [ENT]: { employeeNumber: '7', manager: { value: 'm' } },
    });
  });
});

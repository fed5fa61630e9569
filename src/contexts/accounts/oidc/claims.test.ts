import { describe, expect, it } from 'vitest';
import { checkClaims, jitDecision, type ConnectionRules } from './claims.js';

const TID = '9188040d-6c67-4c5b-b112-36a304b66dad';
const base: ConnectionRules = { preset: 'okta', domains: ['school.test'], idpTenantId: null, idpEnforcesMfa: false, allowedGroups: [], groupRoles: [], jitRole: 'viewer' };
const entra: ConnectionRules = { ...base, preset: 'entra', idpTenantId: TID };
const google: ConnectionRules = { ...base, preset: 'google' };

describe('checkClaims per preset', () => {
  const cases: { name: string; rules: ConnectionRules; claims: Record<string, unknown>; reason?: string }[] = [
    { name: 'okta: verified email of a served domain', rules: base, claims: { email: 'Ann@School.test', email_verified: true } },
    { name: 'okta: email_verified false', rules: base, claims: { email: 'ann@school.test', email_verified: false }, reason: 'email_not_verified' },
    { name: 'okta: email_verified missing', rules: base, claims: { email: 'ann@school.test' }, reason: 'email_not_verified' },
    { name: 'okta: no email', rules: base, claims: { email_verified: true }, reason: 'email_missing' },
    { name: 'okta: other domain', rules: base, claims: { email: 'ann@elsewhere.test', email_verified: true }, reason: 'wrong_domain' },
    { name: 'entra: xms_edov true and right tid', rules: entra, claims: { email: 'ann@school.test', xms_edov: true, tid: TID } },
    { name: 'entra: email_verified is not enough without xms_edov', rules: entra, claims: { email: 'ann@school.test', email_verified: true, tid: TID }, reason: 'email_not_verified' },
    { name: 'entra: xms_edov false', rules: entra, claims: { email: 'ann@school.test', xms_edov: false, tid: TID }, reason: 'email_not_verified' },
    { name: 'entra: another directory’s tid', rules: entra, claims: { email: 'ann@school.test', xms_edov: true, tid: '00000000-0000-0000-0000-000000000000' }, reason: 'wrong_idp_tenant' },
    { name: 'entra: no tid', rules: entra, claims: { email: 'ann@school.test', xms_edov: true }, reason: 'wrong_idp_tenant' },
    { name: 'google: hd of a served domain', rules: google, claims: { email: 'ann@school.test', email_verified: true, hd: 'school.test' } },
    { name: 'google: consumer account without hd', rules: google, claims: { email: 'ann@school.test', email_verified: true }, reason: 'wrong_domain' },
    { name: 'google: hd of another workspace', rules: google, claims: { email: 'ann@school.test', email_verified: true, hd: 'other.test' }, reason: 'wrong_domain' },
    { name: 'google: unverified', rules: google, claims: { email: 'ann@school.test', email_verified: false, hd: 'school.test' }, reason: 'email_not_verified' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = checkClaims(c.rules, c.claims);
      if (c.reason) expect(result).toMatchObject({ ok: false, reason: c.reason });
      else expect(result).toMatchObject({ ok: true, identity: { email: String(c.claims.email).toLowerCase() } });
    });
  }

  it('MFA comes from the connection’s word or the token’s amr', () => {
    const claims = { email: 'ann@school.test', email_verified: true };
    expect(checkClaims(base, claims)).toMatchObject({ identity: { mfa: false } });
    expect(checkClaims(base, { ...claims, amr: ['pwd'] })).toMatchObject({ identity: { mfa: false } });
    expect(checkClaims(base, { ...claims, amr: ['pwd', 'mfa'] })).toMatchObject({ identity: { mfa: true } });
    expect(checkClaims({ ...base, idpEnforcesMfa: true }, claims)).toMatchObject({ identity: { mfa: true } });
  });

  it('notices an Entra groups overage claim', () => {
    const r = checkClaims(entra, { email: 'ann@school.test', xms_edov: true, tid: TID, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph' } } });
    expect(r).toMatchObject({ ok: true, identity: { groupsOverage: true, groups: null } });
  });
});

describe('jitDecision', () => {
  const identity = (groups: string[] | null, groupsOverage = false) => ({ email: 'a@school.test', name: '', groups, groupsOverage, mfa: false });

  it('gives the default role when no group maps', () => {
    expect(jitDecision({ ...base, jitRole: 'manager' }, identity(['g1']))).toEqual({ ok: true, role: 'manager' });
  });
  it('maps groups to roles, the highest matching wins, even below the default', () => {
    const rules = { ...base, jitRole: 'manager' as const, groupRoles: [{ group: 'staff', role: 'viewer' as const }, { group: 'it', role: 'admin' as const }] };
    expect(jitDecision(rules, identity(['staff']))).toEqual({ ok: true, role: 'viewer' });
    expect(jitDecision(rules, identity(['staff', 'it']))).toEqual({ ok: true, role: 'admin' });
  });
  it('refuses those outside the allowed groups', () => {
    const rules = { ...base, allowedGroups: ['staff'] };
    expect(jitDecision(rules, identity(['pupils']))).toEqual({ ok: false, reason: 'not_in_allowed_group' });
    expect(jitDecision(rules, identity(null))).toEqual({ ok: false, reason: 'not_in_allowed_group' });
    expect(jitDecision(rules, identity(['staff']))).toEqual({ ok: true, role: 'viewer' });
  });
  it('refuses a groups overage when groups decide', () => {
    expect(jitDecision({ ...base, allowedGroups: ['staff'] }, identity(null, true))).toEqual({ ok: false, reason: 'groups_overage' });
    expect(jitDecision(base, identity(null, true))).toEqual({ ok: true, role: 'viewer' });
  });
});

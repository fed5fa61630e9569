import { describe, expect, it } from 'vitest';
import { can, isTenantWide, reachExtent, roleHas, TENANT_WIDE } from './permissions.js';
import { assertLevel, levelAt, reachedIds, reachOf } from '../platform/http/access.js';
import type { Principal } from '../platform/http/principal.js';

const user = (role: Principal['role'], scopes: Principal['scopes'] = []): Principal => ({ kind: 'user', tenantId: 't', id: 'u', label: 'u', role, scopes });

describe('permissions: roles, and what a scope adds', () => {
  it('a role holds what the list gives it, nothing for no role', () => {
    expect(roleHas('manager', 'record.edit')).toBe(true);
    expect(roleHas('viewer', 'record.edit')).toBe(false);
    expect(can(user('admin'), 'record.manage')).toBe(true);
    expect(can(user(null), 'record.read')).toBe(false);
    expect(can(undefined, 'record.read')).toBe(false);
  });

  it('an organisation scope grants the record permission of its level, and no more', () => {
    const viewerEdit = user('viewer', [{ kind: 'organisation', refId: 'o1', level: 'edit' }]);
    expect([can(viewerEdit, 'record.edit'), can(viewerEdit, 'record.manage')]).toEqual([true, false]);
    const managerAdmin = user('manager', [{ kind: 'organisation', refId: 'o1', level: 'administer' }]);
    expect([can(managerAdmin, 'record.manage'), can(managerAdmin, 'integration.manage'), can(managerAdmin, 'users.manage')]).toEqual([true, false, false]);
  });

  it('a tenant-wide permission needs a caller without any scope, whatever the role', () => {
    const siteAdmin = user('admin', [{ kind: 'site', refId: 's1', level: 'administer' }]);
    const orgAdmin = user('admin', [{ kind: 'organisation', refId: 'o1', level: 'administer' }]);
    for (const p of TENANT_WIDE) {
      expect([can(siteAdmin, p), can(orgAdmin, p)], p).toEqual([false, false]);
      expect(can(user('owner'), p), p).toBe(true);
    }
    expect([can(siteAdmin, 'users.read'), can(siteAdmin, 'signin.manage'), can(orgAdmin, 'record.manage')]).toEqual([true, true, true]);
    expect([isTenantWide(user('viewer')), isTenantWide(siteAdmin)]).toEqual([true, false]);
    // An owner scoped before owners could not be still holds the tenant (else nobody could unscope them).
    expect(can(user('owner', [{ kind: 'site', refId: 's1', level: 'administer' }]), 'users.manage')).toBe(true);
  });

  it('a site scope grants nothing beyond the role', () => {
    const viewerSite = user('viewer', [{ kind: 'site', refId: 's1', level: 'administer' }]);
    expect([can(viewerSite, 'signin.operate'), can(viewerSite, 'record.edit'), can(viewerSite, 'signin.read')]).toEqual([false, false, true]);
  });
});

describe('access: the one scope helper', () => {
  it('an unscoped user reaches everything at the level of their role', () => {
    const r = reachOf(user('manager'), 'organisation');
    expect([levelAt(r, 'any'), reachedIds(r)]).toEqual(['edit', null]);
  });

  it('a scoped user reaches only their ids, each at its level; out of reach is a 404, below the level a 403', () => {
    const p = user('admin', [
      { kind: 'organisation', refId: 'o1', level: 'view' },
      { kind: 'site', refId: 's1', level: 'edit' },
    ]);
    const orgs = reachOf(p, 'organisation');
    expect([levelAt(orgs, 'o1'), levelAt(orgs, 'o2'), reachedIds(orgs)]).toEqual(['view', null, ['o1']]);
    expect(reachedIds(reachOf(p, 'site'))).toEqual(['s1']);
    expect(() => assertLevel(orgs, 'o2', 'view', 'Profile')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => assertLevel(orgs, 'o1', 'edit', 'Profile')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => assertLevel(orgs, 'o1', 'view', 'Profile')).not.toThrow();
  });

  it('a scoped user reaches nothing of a kind no scope of theirs names (a site alone: no organisation; an organisation alone: no site)', () => {
    const bySite = user('admin', [{ kind: 'site', refId: 's1', level: 'administer' }]);
    const byOrg = user('manager', [{ kind: 'organisation', refId: 'o1', level: 'edit' }]);
    for (const [p, kind] of [[bySite, 'organisation'], [byOrg, 'site']] as const) {
      const r = reachOf(p, kind);
      expect([r.all, reachedIds(r), levelAt(r, 'any')], kind).toEqual([null, [], null]);
      expect(() => assertLevel(r, 'any', 'view', 'Profile')).toThrow(expect.objectContaining({ status: 404 }));
      expect(reachExtent(p, kind), kind).toBe('none');
    }
    expect([reachExtent(bySite, 'site'), reachExtent(byOrg, 'organisation'), reachExtent(user('viewer'), 'site'), reachExtent(user('viewer'), 'organisation')]).toEqual(['some', 'some', 'all', 'all']);
  });

  it('the owner reaches the whole tenant, even one scoped before owners could not be', () => {
    const owner = user('owner', [{ kind: 'site', refId: 's1', level: 'view' }]);
    for (const kind of ['site', 'organisation'] as const) {
      expect([reachExtent(owner, kind), reachedIds(reachOf(owner, kind)), levelAt(reachOf(owner, kind), 'any')], kind).toEqual(['all', null, 'administer']);
    }
  });

  it('a kiosk reaches its own site only, and no organisation', () => {
    const kiosk: Principal = { kind: 'kiosk', tenantId: 't', id: 'k', label: 'k', role: null, scopes: [], resourceId: 's9' };
    expect([reachedIds(reachOf(kiosk, 'site')), reachedIds(reachOf(kiosk, 'organisation'))]).toEqual([['s9'], []]);
  });
});

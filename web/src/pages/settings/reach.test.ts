import { describe, expect, it } from 'vitest';
import { choose, reachError, reachFieldOf, reachFormOf, reachSummary, reachWarning, scopesOfForm, type ReachForm } from './reach';

const SITE = '00000000-0000-4000-8000-00000000000a';
const ORG = '00000000-0000-4000-8000-00000000000b';
const names = { site: (id: string) => (id === SITE ? 'North' : 'another site'), organisation: (id: string) => (id === ORG ? 'Northgate Primary' : 'another organisation') };

describe('the scope editor’s reach', () => {
  it('reads no scope as the whole trust and scopes as each dimension’s choices, and sends them back unchanged', () => {
    expect(reachFormOf([])).toEqual({ reach: 'trust', sites: [], organisations: [] });
    const scopes = [
      { kind: 'site' as const, refId: SITE, level: 'edit' as const },
      { kind: 'organisation' as const, refId: ORG, level: 'view' as const },
    ];
    const form = reachFormOf(scopes);
    expect(form).toEqual({ reach: 'limited', sites: [{ refId: SITE, level: 'edit' }], organisations: [{ refId: ORG, level: 'view' }] });
    expect(scopesOfForm(form)).toEqual(scopes);
    // The whole trust sends no scope, whatever was picked before choosing it.
    expect(scopesOfForm({ ...form, reach: 'trust' })).toEqual([]);
  });

  it('keeps a kept choice’s level and starts a new one at the role’s level', () => {
    expect(choose([{ refId: SITE, level: 'view' }], [SITE, ORG], 'manager')).toEqual([
      { refId: SITE, level: 'view' },
      { refId: ORG, level: 'edit' },
    ]);
    expect(choose([{ refId: SITE, level: 'view' }], [], 'viewer')).toEqual([]);
  });

  it('warns when one dimension is left empty (that area is no longer offered) and refuses limiting to nothing', () => {
    const limited = (sites: number, organisations: number): ReachForm => ({
      reach: 'limited',
      sites: Array.from({ length: sites }, () => ({ refId: SITE, level: 'view' as const })),
      organisations: Array.from({ length: organisations }, () => ({ refId: ORG, level: 'view' as const })),
    });
    expect(reachWarning(limited(0, 1))).toMatch(/^This person will not see Sign-in/);
    expect(reachWarning(limited(1, 0))).toMatch(/^This person will not see the Central Record/);
    expect(reachWarning(limited(1, 1))).toBeNull();
    expect(reachWarning({ reach: 'trust', sites: [], organisations: [{ refId: ORG, level: 'view' }] })).toBeNull();
    expect(reachError(limited(0, 0))).toMatch(/at least one site or organisation/);
    expect(reachError(limited(0, 1))).toBeNull();
    expect(reachError({ reach: 'trust', sites: [], organisations: [] })).toBeNull();
  });

  it('puts the server’s field errors on the list they came from', () => {
    const form: ReachForm = { reach: 'limited', sites: [{ refId: SITE, level: 'view' }], organisations: [{ refId: ORG, level: 'view' }] };
    expect(reachFieldOf('scopes.0.refId', form)).toBe('sites');
    expect(reachFieldOf('body.scopes.1.refId', form)).toBe('organisations');
    expect(reachFieldOf('scopes', form)).toBe('reach');
    expect(reachFieldOf('name', form)).toBeNull();
    expect(reachFieldOf(undefined, form)).toBeNull();
  });

  it('states the whole trust, or each dimension with names and levels', () => {
    expect(reachSummary({ role: 'manager', scopes: [] }, names)).toEqual({ wholeTrust: true });
    // The owner is never limited (a scope left from before still reaches the whole tenant).
    expect(reachSummary({ role: 'owner', scopes: [{ kind: 'site', refId: SITE, level: 'view' }] }, names)).toEqual({ wholeTrust: true });
    expect(reachSummary({ role: 'manager', scopes: [{ kind: 'organisation', refId: ORG, level: 'edit' }] }, names)).toEqual({
      wholeTrust: false,
      sites: 'No sites',
      organisations: 'Northgate Primary (edit)',
    });
    expect(reachSummary({ role: 'admin', scopes: [{ kind: 'site', refId: SITE, level: 'administer' }] }, names)).toEqual({ wholeTrust: false, sites: 'North (administer)', organisations: 'No organisations' });
  });
});

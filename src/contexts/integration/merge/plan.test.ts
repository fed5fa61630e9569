import { describe, expect, it } from 'vitest';
import { groupRelated } from './plan.js';
import type { CheckValueView } from '../../record/index.js';

describe('groupRelated', () => {
  it("gives each profile its own rows of each kind, in the order read, and none to a profile with none", () => {
    const value = (id: string, profileId: string) => ({ id, profileId, checkId: 'c1' }) as unknown as CheckValueView;
    const r = groupRelated({
      values: [value('v1', 'a'), value('v2', 'b'), value('v3', 'a')],
      ext: [{ profileId: 'b', system: 'wonde', externalId: 'X1' }],
      links: [{ profileId: 'a', memberId: 'm1', groupId: 'g1', source: 'import' }],
      docs: [{ id: 'd1', profileId: 'a', checkId: null }],
    });
    expect(r.of('a').values.map((v) => v.id)).toEqual(['v1', 'v3']);
    expect(r.of('a').links.map((l) => l.memberId)).toEqual(['m1']);
    expect(r.of('a').docs.map((d) => d.id)).toEqual(['d1']);
    expect(r.of('a').ext).toEqual([]);
    expect(r.of('b').values.map((v) => v.id)).toEqual(['v2']);
    expect(r.of('b').ext.map((x) => x.externalId)).toEqual(['X1']);
    expect(r.of('c')).toEqual({ values: [], ext: [], links: [], docs: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { answersRejectOffline, decideOffline, normaliseName, searchLocal, sha256, visitorBlocked } from './local';
import { afterWrongPin, makeVerifier, pinMatches } from './pin';
import { normaliseName as serverNormalise } from '../../../src/common/normalise';
import type { OfflineMember } from './types';

const member = (name: string, safety: Partial<OfflineMember['safety']> = {}): OfflineMember => ({
  id: name, name, role: '', qrHash: '', photo: null, onSite: false, agreementDue: false,
  safety: { ok: true, reasons: [], checkedAt: '2026-03-02T08:00:00.000Z', validUntil: null, ...safety },
});
const group = (over: { mode?: 'off' | 'reject' | 'notify'; whenStale?: 'reject' | 'allow_flag'; hours?: number } = {}) => ({
  safetyCheckMode: over.mode ?? 'reject',
  offline: { maxSafetyAgeHours: over.hours ?? 24, whenStale: over.whenStale ?? 'reject', photos: true },
});
const at = new Date('2026-03-02T12:00:00');

describe('offline decisions on the last known safety check', () => {
  it.each([
    ['fresh and passed', group(), member('a'), { admitted: true, stale: false }],
    ['fresh and failed: turned away with its reasons', group(), member('a', { ok: false, reasons: ['DBS expired'] }), { admitted: false, stale: false, reasons: ['DBS expired'] }],
    ['failed, but the group only notifies', group({ mode: 'notify' }), member('a', { ok: false, reasons: ['x'] }), { admitted: true, stale: false }],
    ['the group checks nothing', group({ mode: 'off' }), member('a', { ok: false, checkedAt: '2020-01-01T00:00:00Z' }), { admitted: true, stale: false }],
    ['older than the group allows: rejected by policy', group({ hours: 2 }), member('a'), { admitted: false, stale: true }],
    ['older than the group allows: allowed and flagged by policy', group({ hours: 2, whenStale: 'allow_flag' }), member('a'), { admitted: true, stale: true }],
    ['a check expired since (validUntil today): stale', group(), member('a', { validUntil: '2026-03-02' }), { admitted: false, stale: true }],
    ['validUntil tomorrow: still fresh', group(), member('a', { validUntil: '2026-03-03' }), { admitted: true, stale: false }],
  ] as const)('%s', (_n, g, m, expected) => {
    expect(decideOffline(g, m, at)).toMatchObject(expected);
  });
});

describe('local search, block list and names', () => {
  const people = [member('Ada Lovelace'), member('José O\'Brien'), member('Adam Smith')];
  it('matches word prefixes, accent- and case-blind', () => {
    expect(searchLocal(people, 'ada').map((m) => m.name)).toEqual(['Ada Lovelace', 'Adam Smith']);
    expect(searchLocal(people, 'lov ada').map((m) => m.name)).toEqual(['Ada Lovelace']);
    expect(searchLocal(people, 'jose o').map((m) => m.name)).toEqual(['José O\'Brien']);
    expect(searchLocal(people, '  ')).toEqual([]);
  });
  it.each(['  José  O\'Brien ', 'Anne-Marie SMITH', 'Zoë'])('normalises %j as the server does', (n) => expect(normaliseName(n)).toBe(serverNormalise(n)));
  it('finds a visitor on the block list by the hash of the normalised name', async () => {
    const list = { names: [await sha256('sam visitor')] };
    await expect(visitorBlocked(list, '  SAM  Visitor')).resolves.toBe(true);
    await expect(visitorBlocked(list, 'Sam Visitors')).resolves.toBe(false);
  });
});

describe('the offline PIN verifier', () => {
  it('accepts the PIN it was made from, nothing else, and is salted', async () => {
    const v = await makeVerifier('4821', 1000);
    await expect(pinMatches('4821', v)).resolves.toBe(true);
    await expect(pinMatches('4822', v)).resolves.toBe(false);
    expect((await makeVerifier('4821', 1000)).hash).not.toBe(v.hash);
    expect(v.hash).not.toContain('4821');
  });
  it('locks after five wrong tries', () => {
    let s = { tries: 0, locked: false };
    for (let i = 0; i < 4; i++) s = afterWrongPin(s.tries);
    expect(s).toEqual({ tries: 4, locked: false });
    expect(afterWrongPin(s.tries)).toEqual({ tries: 5, locked: true });
  });
});

describe('questions that reject, judged on the device', () => {
  const questions = [{ id: 'unwell', rejectOn: { answer: 'yes', message: 'Please stay at home when unwell' } }];
  it.each([
    ['the reject-on answer, mode reject: turned away with the message', 'reject', questions, { unwell: 'yes' }, { rejected: true, reasons: ['Please stay at home when unwell'] }],
    ['the reject-on answer, reasons hidden: turned away, no reason (see reception)', 'reject', [{ id: 'unwell', rejectOn: { answer: 'yes', message: null } }], { unwell: 'yes' }, { rejected: true, reasons: [] }],
    ['another answer', 'reject', questions, { unwell: 'no' }, { rejected: false, reasons: [] }],
    ['mode notify: signed in (the contacts are told at replay)', 'notify', questions, { unwell: 'yes' }, { rejected: false, reasons: [] }],
    ['mode off: not checked', 'off', questions, { unwell: 'yes' }, { rejected: false, reasons: [] }],
    ['a copy from before questions were kept', 'reject', undefined, { unwell: 'yes' }, { rejected: false, reasons: [] }],
  ] as const)('%s', (_n, mode, qs, answers, expected) => {
    expect(answersRejectOffline({ safetyCheckMode: mode, questions: qs as never }, answers)).toEqual(expected);
  });
});

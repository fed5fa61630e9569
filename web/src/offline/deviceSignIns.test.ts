import { describe, expect, it } from 'vitest';
import { localRollCall, offlineUpload, type OnSite } from '../pages/signin/rollCallLive';
import { withDeviceSignIns, type DeviceSeen } from './deviceSignIns';
import type { OfflineEvent } from './types';

const onSite: OnSite = {
  site: { id: 'site-1', name: 'North', timezone: 'Europe/London' },
  total: 2,
  groups: [
    {
      id: 'staff',
      name: 'Staff',
      colour: '#000000',
      showOnFireList: true,
      people: [
        { visitId: 'v-ada', memberId: 'ada', personName: 'Ada Lovelace', signedInAt: '2026-03-02T08:00:00.000Z' },
        { visitId: 'v-alan', memberId: 'alan', personName: 'Alan Turing', signedInAt: '2026-03-02T08:05:00.000Z' },
      ],
    },
  ],
  openRollCallId: null,
};
const signIn = (key: string, groupId: string, who: { memberId: string } | { visitor: { fullName: string } }, admitted = true): OfflineEvent => ({
  key,
  kind: 'sign_in',
  at: '2026-03-02T09:00:00.000Z',
  groupId,
  ...who,
  answers: {},
  agreementAccepted: false,
  admitted,
  stale: false,
  label: 'memberId' in who ? `Member ${who.memberId}` : who.visitor.fullName,
});
const seen = (events: OfflineEvent[], siteId = 'site-1'): DeviceSeen => ({
  siteId,
  groups: [
    { id: 'staff', name: 'Staff', colour: '#000000', showOnFireList: true },
    { id: 'visitors', name: 'Visitors', colour: '#ff0000', showOnFireList: true },
    { id: 'governors', name: 'Governors', colour: '#00ff00', showOnFireList: false },
  ],
  events,
});
const people = (o: OnSite) => Object.fromEntries(o.groups.map((g) => [g.id, g.people.map((p) => p.personName)]));

describe('a roll call started offline on a device that is also a paired kiosk: plus the sign-ins it saw', () => {
  it('adds the people it signed in offline and takes out those it signed out offline, in order', () => {
    const events: OfflineEvent[] = [
      signIn('k1', 'staff', { memberId: 'grace' }),
      signIn('k2', 'visitors', { visitor: { fullName: 'Vera Visitor' } }),
      { key: 'k3', kind: 'sign_out', at: '2026-03-02T09:10:00.000Z', memberId: 'alan', label: 'Alan Turing' },
      signIn('k4', 'staff', { memberId: 'bob' }, false), // turned away: not on site
      signIn('k5', 'staff', { memberId: 'ada' }), // already listed
      signIn('k6', 'visitors', { visitor: { fullName: 'Otto Other' } }),
      { key: 'k7', kind: 'sign_out', at: '2026-03-02T09:20:00.000Z', signInKey: 'k6', label: 'Otto Other' },
    ];
    const out = withDeviceSignIns(onSite, seen(events));
    expect(people(out)).toEqual({ staff: ['Ada Lovelace', 'Member grace'], visitors: ['Vera Visitor'] });
    expect(out.total).toBe(3);
    expect(out.groups[0]!.people[1]).toEqual({ visitId: 'local:k1', memberId: 'grace', personName: 'Member grace', signedInAt: '2026-03-02T09:00:00.000Z' });
    // The phone's own copy is left as it was.
    expect(people(onSite)).toEqual({ staff: ['Ada Lovelace', 'Alan Turing'] });
  });

  it('changes nothing for another site, or a device that is no kiosk', () => {
    expect(withDeviceSignIns(onSite, seen([signIn('k1', 'staff', { memberId: 'grace' })], 'site-2'))).toBe(onSite);
    expect(withDeviceSignIns(onSite, null)).toBe(onSite);
  });

  it('a group off the fire list stays off the roll call; ticks on people seen here are sent by member, or a visitor by name', () => {
    const list = withDeviceSignIns(onSite, seen([signIn('k1', 'governors', { memberId: 'gov' }), signIn('k2', 'staff', { memberId: 'grace' }), signIn('k3', 'visitors', { visitor: { fullName: 'Vera Visitor' } })]));
    const view = localRollCall(list, 'Marshal', 'offline-1', new Date('2026-03-02T10:00:00.000Z'));
    expect(view.entries.map((e) => e.personName)).toEqual(['Ada Lovelace', 'Alan Turing', 'Member grace', 'Vera Visitor']);
    const at = '2026-03-02T10:01:00.000Z';
    const upload = offlineUpload({ siteId: 'site-1', startedAt: view.rollCall.startedAt }, [
      { key: 't1', entryId: 'v-ada', status: 'safe', at },
      { key: 't2', entryId: 'local:k2', status: 'safe', at },
      { key: 't3', entryId: 'local:k3', status: 'safe', at },
      { key: 't4', entryId: 'local:gone', status: 'safe', at },
    ], view.entries);
    expect(upload.ticks).toEqual([
      { visitId: 'v-ada', status: 'safe', at },
      { memberId: 'grace', status: 'safe', at },
      { personName: 'Vera Visitor', status: 'safe', at },
    ]);
  });
});

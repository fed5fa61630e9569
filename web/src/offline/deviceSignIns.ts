import type { KioskConfig } from '../pages/signin/signinApi';
import { DEVICE_ENTRY, type OnSite } from '../pages/signin/rollCallLive';
import { kioskToken } from '../pages/signin/kioskClient';
import { kioskOffline } from './kioskOffline';
import { offlineStore } from './store';
import type { OfflineData, OfflineEvent } from './types';

/**
 * A roll call started offline lists the phone's last copy of who is on site "plus the sign-ins its
 * own device saw" (issue 15): a device that is also a paired kiosk of that site (the same browser
 * profile) adds the people it signed in offline and takes out those it signed out offline, from its
 * queue of events not yet sent. Such a person has no visit id yet: the entry's id is `local:<key>`
 * (the event's idempotency key), and a tick on it is sent by member, or for a visitor by name, after
 * the kiosk's queue (see `sendKioskQueueFirst`), so the server knows the visit by then.
 */
export { DEVICE_ENTRY };

export type DeviceSeen = { siteId: string; groups: Array<{ id: string; name: string; colour: string; showOnFireList: boolean }>; events: OfflineEvent[] };

/** The on-site list with this device's own offline sign-ins and sign-outs applied (pure). */
export function withDeviceSignIns(onSite: OnSite, seen: DeviceSeen | null): OnSite {
  if (!seen || seen.siteId !== onSite.site.id || seen.events.length === 0) return onSite;
  const groups = onSite.groups.map((g) => ({ ...g, people: [...g.people] }));
  for (const e of seen.events) {
    if (e.kind === 'sign_in') {
      if (!e.admitted) continue;
      let g = groups.find((x) => x.id === e.groupId);
      if (!g) {
        const known = seen.groups.find((x) => x.id === e.groupId);
        if (!known) continue;
        g = { ...known, people: [] };
        groups.push(g);
      }
      const memberId = e.memberId ?? null;
      if (memberId && g.people.some((p) => p.memberId === memberId)) continue;
      g.people.push({ visitId: `${DEVICE_ENTRY}${e.key}`, memberId, personName: e.visitor?.fullName ?? e.label, signedInAt: e.at });
      continue;
    }
    for (const g of groups) {
      g.people = g.people.filter((p) => {
        if (e.memberId) return p.memberId !== e.memberId;
        if (e.visitId) return p.visitId !== e.visitId;
        if (e.signInKey) return p.visitId !== `${DEVICE_ENTRY}${e.signInKey}`;
        return true;
      });
    }
  }
  return { ...onSite, groups, total: groups.reduce((n, g) => n + g.people.length, 0) };
}

/** What this device saw offline as a paired kiosk (null: it is not one, or keeps no copy). */
export async function deviceSeen(): Promise<DeviceSeen | null> {
  if (!kioskOffline.state.available || !kioskToken.get()) return null;
  try {
    const [config, data, queued] = await Promise.all([offlineStore.get<KioskConfig>('kiosk.config'), offlineStore.get<OfflineData>('kiosk.data'), offlineStore.queued()]);
    if (!config) return null;
    const fire = new Map((data?.groups ?? []).map((g) => [g.id, g.showOnFireList]));
    return {
      siteId: config.site.id,
      groups: config.groups.map((g) => ({ id: g.id, name: g.name, colour: g.colour, showOnFireList: fire.get(g.id) ?? true })),
      events: queued.map((q) => q.event),
    };
  } catch {
    return null;
  }
}

/** The list a roll call started offline on this device begins with. */
export async function withSignInsSeenHere(onSite: OnSite): Promise<OnSite> {
  return withDeviceSignIns(onSite, await deviceSeen());
}

/** Before a roll call started offline is sent: this device's kiosk queue goes first, so the server has those visits. */
export async function sendKioskQueueFirst(): Promise<void> {
  if (!kioskOffline.state.available || !kioskToken.get()) return;
  if ((await offlineStore.count().catch(() => 0)) === 0) return;
  await kioskOffline.sync();
}

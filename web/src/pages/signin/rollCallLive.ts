/**
 * Shapes of the on-site, roll call and webhook APIs (src/contexts/signin/live, .../webhooks), and
 * the roll call state a marshal's phone keeps: applied from the event stream, cached locally so
 * the last list stays on screen when the network drops.
 */

/** The id prefix of a person this device signed in offline as a kiosk (web/src/offline/deviceSignIns.ts). */
export const DEVICE_ENTRY = 'local:';

export type OnSite = {
  site: { id: string; name: string; timezone: string };
  total: number;
  groups: Array<{ id: string; name: string; colour: string; showOnFireList: boolean; people: Array<{ visitId: string; memberId: string | null; personName: string; signedInAt: string }> }>;
  openRollCallId: string | null;
};

export type RollCallEntry = {
  id: string;
  visitId: string;
  memberId: string | null;
  personName: string;
  groupId: string;
  groupName: string;
  groupColour: string;
  signedInAt: string;
  joinedDuring: boolean;
  signedOutAt: string | null;
  status: 'unaccounted' | 'safe';
  markedAt: string | null;
  markedBy: string | null;
};

export type RollCall = {
  id: string;
  siteId: string;
  siteName: string;
  /** The site's IANA time zone, the roll call's times are shown in (absent from a view a phone kept before the server sent it: the phone's zone then). */
  timezone?: string;
  status: 'open' | 'closed';
  seq: number;
  note: string;
  startedAt: string;
  startedBy: string;
  closedAt: string | null;
  closedBy: string | null;
  total: number;
  safe: number;
  unaccounted: number;
};

export type RollCallView = { rollCall: RollCall; entries: RollCallEntry[] };
export type RollCallEvent = { seq: number; type: string; data: Record<string, unknown>; at: string };

export type Webhook = { id: string; url: string; description: string; events: WebhookEvent[]; active: boolean; createdAt: string; updatedAt: string };
export type WebhookEvent = 'visit.signed_in' | 'visit.signed_out' | 'visit.rejected';
export const WEBHOOK_EVENTS: Array<{ value: WebhookEvent; label: string }> = [
  { value: 'visit.signed_in', label: 'Signed in' },
  { value: 'visit.signed_out', label: 'Signed out (automatic sign-outs included)' },
  { value: 'visit.rejected', label: 'Sign-in rejected' },
];
export type Delivery = {
  id: string;
  subscriptionId: string;
  event: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  responseSnippet: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  completedAt: string | null;
};

/** Recounts safe / unaccounted from the entries. */
function recount(view: RollCallView): RollCallView {
  const safe = view.entries.filter((e) => e.status === 'safe').length;
  return { ...view, rollCall: { ...view.rollCall, total: view.entries.length, safe, unaccounted: view.entries.length - safe } };
}

/** Applies one event of the stream (or a tick's answer) to the state; applying twice is harmless. */
export function applyEvent(view: RollCallView, event: RollCallEvent): RollCallView {
  let next = view;
  const entry = event.data.entry as RollCallEntry | undefined;
  if (entry && (event.type === 'entry.added' || event.type === 'entry.updated')) {
    const i = view.entries.findIndex((e) => e.id === entry.id);
    const entries = i >= 0 ? view.entries.map((e) => (e.id === entry.id ? entry : e)) : [...view.entries, entry];
    next = { ...view, entries };
  }
  if (event.type === 'roll_call.closed') {
    next = { ...next, rollCall: { ...next.rollCall, status: 'closed', closedAt: String(event.data.closedAt ?? event.at), closedBy: String(event.data.closedBy ?? '') } };
  }
  next = { ...next, rollCall: { ...next.rollCall, seq: Math.max(next.rollCall.seq, event.seq) } };
  return recount(next);
}

export function upsertEntry(view: RollCallView, entry: RollCallEntry): RollCallView {
  return applyEvent(view, { seq: view.rollCall.seq, type: 'entry.updated', data: { entry }, at: new Date().toISOString() });
}

const cacheKey = (id: string) => `threshold.rollCall.${id}`;

export type Cached = { view: RollCallView; savedAt: string };

/** A kept list older than this (hours without reaching the server) is not shown (the server's default OFFLINE_MAX_HOURS). */
export const CACHED_LIST_HOURS = 72;

export function loadCached(id: string, storage: Pick<Storage, 'getItem'> = localStorage, now = new Date()): Cached | null {
  try {
    const raw = storage.getItem(cacheKey(id));
    const cached = raw ? (JSON.parse(raw) as Cached) : null;
    if (cached && now.getTime() - new Date(cached.savedAt).getTime() > CACHED_LIST_HOURS * 3_600_000) return null;
    return cached;
  } catch {
    return null;
  }
}

export function saveCached(view: RollCallView, storage: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    storage.setItem(cacheKey(view.rollCall.id), JSON.stringify({ view, savedAt: new Date().toISOString() } satisfies Cached));
  } catch {
    // Storage full or disabled: the live list still works.
  }
}

/** A tick made while the server could not be reached, sent later with the time it was made. */
export type PendingTick = { key: string; entryId: string; status: 'safe' | 'unaccounted'; at: string };

const pendingKey = (id: string) => `threshold.rollCall.${id}.pending`;

export function loadPending(id: string, storage: Pick<Storage, 'getItem'> = localStorage): PendingTick[] {
  try {
    return JSON.parse(storage.getItem(pendingKey(id)) ?? '[]') as PendingTick[];
  } catch {
    return [];
  }
}

export function savePending(id: string, ticks: PendingTick[], storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (ticks.length === 0) storage.removeItem(pendingKey(id));
  else storage.setItem(pendingKey(id), JSON.stringify(ticks));
}

/** The ticks waiting on this phone, shown over the server's list (the latest tick per person wins locally). */
export function withPending(view: RollCallView, ticks: readonly PendingTick[]): RollCallView {
  if (ticks.length === 0) return view;
  const latest = new Map<string, PendingTick>();
  for (const t of ticks) latest.set(t.entryId, t);
  const entries = view.entries.map((e) => {
    const t = latest.get(e.id);
    return t && (!e.markedAt || e.markedAt < t.at) ? { ...e, status: t.status, markedAt: t.at } : e;
  });
  return recount({ ...view, entries });
}

/**
 * Sends waiting ticks in order. A tick the server answered (applied, or merged away because someone
 * changed that person later) leaves the list; the network failing stops and keeps the rest; any other
 * refusal (the roll call closed meanwhile) is dropped and reported.
 */
export async function flushTicks(ticks: readonly PendingTick[], send: (t: PendingTick) => Promise<RollCallEntry>, unreachable: (err: unknown) => boolean) {
  const entries: RollCallEntry[] = [];
  const dropped: Array<{ tick: PendingTick; error: unknown }> = [];
  let i = 0;
  for (; i < ticks.length; i++) {
    try {
      entries.push(await send(ticks[i]!));
    } catch (err) {
      if (unreachable(err)) break;
      dropped.push({ tick: ticks[i]!, error: err });
    }
  }
  return { remaining: ticks.slice(i), entries, dropped };
}

/*
 * Starting a roll call with no connection. While online, the roll call page keeps the sites and who
 * is on site at each (localStorage, like the last list); offline, "Start fire roll call" makes a
 * roll call on the phone from that copy (id `offline-…`, one entry per visit), ticked like any
 * other. When the server answers again the phone sends its start time and ticks
 * (POST /api/signin/sites/:siteId/roll-calls/offline): the server creates it, or merges it into the
 * one someone started online meanwhile, and the phone moves to that roll call.
 */
type Site = { id: string; name: string };
type Kept<T> = { value: T; savedAt: string };
const sitesKey = 'threshold.rollCall.sites';
const onSiteKey = (siteId: string) => `threshold.onSite.${siteId}`;
const startKey = (localId: string) => `threshold.rollCall.${localId}.start`;
export const OFFLINE_PREFIX = 'offline-';
export const isOfflineRollCall = (id: string) => id.startsWith(OFFLINE_PREFIX);

function keep<T>(key: string, value: T, storage: Pick<Storage, 'setItem'>) {
  try {
    storage.setItem(key, JSON.stringify({ value, savedAt: new Date().toISOString() } satisfies Kept<T>));
  } catch {
    // Storage full or disabled: starting offline is then unavailable, online works.
  }
}
function kept<T>(key: string, storage: Pick<Storage, 'getItem'>, now: Date): T | null {
  try {
    const raw = storage.getItem(key);
    const k = raw ? (JSON.parse(raw) as Kept<T>) : null;
    if (!k || now.getTime() - new Date(k.savedAt).getTime() > CACHED_LIST_HOURS * 3_600_000) return null;
    return k.value;
  } catch {
    return null;
  }
}

export const saveSites = (sites: Site[], storage: Pick<Storage, 'setItem'> = localStorage) => keep(sitesKey, sites.map((s) => ({ id: s.id, name: s.name })), storage);
export const loadSites = (storage: Pick<Storage, 'getItem'> = localStorage, now = new Date()) => kept<Site[]>(sitesKey, storage, now);
export const saveOnSite = (onSite: OnSite, storage: Pick<Storage, 'setItem'> = localStorage) => keep(onSiteKey(onSite.site.id), onSite, storage);
export const loadOnSite = (siteId: string, storage: Pick<Storage, 'getItem'> = localStorage, now = new Date()) => kept<OnSite>(onSiteKey(siteId), storage, now);

export type OfflineStart = { siteId: string; startedAt: string };

/** A roll call made on the phone from its last copy of who is on site (groups on the fire list). */
export function localRollCall(onSite: OnSite, startedBy: string, localId: string, now = new Date()): RollCallView {
  const entries: RollCallEntry[] = onSite.groups
    .filter((g) => g.showOnFireList)
    .flatMap((g) =>
      g.people.map((p) => ({
        id: p.visitId,
        visitId: p.visitId,
        memberId: p.memberId,
        personName: p.personName,
        groupId: g.id,
        groupName: g.name,
        groupColour: g.colour,
        signedInAt: p.signedInAt,
        joinedDuring: false,
        signedOutAt: null,
        status: 'unaccounted' as const,
        markedAt: null,
        markedBy: null,
      })),
    );
  const rollCall: RollCall = {
    id: localId,
    siteId: onSite.site.id,
    siteName: onSite.site.name,
    timezone: onSite.site.timezone,
    status: 'open',
    seq: 0,
    note: '',
    startedAt: now.toISOString(),
    startedBy,
    closedAt: null,
    closedBy: null,
    total: 0,
    safe: 0,
    unaccounted: 0,
  };
  return recount({ rollCall, entries });
}

/** Starts a roll call on the phone; its list and start are kept until the server has them. */
export function startOffline(onSite: OnSite, startedBy: string, storage: Pick<Storage, 'setItem'> = localStorage, now = new Date()): RollCallView {
  const view = localRollCall(onSite, startedBy, `${OFFLINE_PREFIX}${crypto.randomUUID()}`, now);
  storage.setItem(startKey(view.rollCall.id), JSON.stringify({ siteId: onSite.site.id, startedAt: view.rollCall.startedAt } satisfies OfflineStart));
  saveCached(view, storage);
  return view;
}

export function loadOfflineStart(localId: string, storage: Pick<Storage, 'getItem'> = localStorage): OfflineStart | null {
  try {
    return JSON.parse(storage.getItem(startKey(localId)) ?? 'null') as OfflineStart | null;
  } catch {
    return null;
  }
}

/**
 * What the phone sends for a roll call it started offline: its start and its ticks by visit, in
 * order; a person this device signed in offline as a kiosk (entry `local:…`, no visit id yet) by
 * member, or a visitor by name (see web/src/offline/deviceSignIns.ts).
 */
export function offlineUpload(start: OfflineStart, ticks: readonly PendingTick[], entries: readonly RollCallEntry[] = []) {
  return {
    startedAt: start.startedAt,
    ticks: ticks.flatMap((t): Array<{ visitId?: string; memberId?: string; personName?: string; status: PendingTick['status']; at: string }> => {
      if (!t.entryId.startsWith(DEVICE_ENTRY)) return [{ visitId: t.entryId, status: t.status, at: t.at }];
      const e = entries.find((x) => x.id === t.entryId);
      if (!e) return [];
      return [e.memberId ? { memberId: e.memberId, status: t.status, at: t.at } : { personName: e.personName, status: t.status, at: t.at }];
    }),
  };
}

/** The server has the roll call: the phone's copy of it goes. */
export function forgetOfflineStart(localId: string, storage: Pick<Storage, 'removeItem'> = localStorage) {
  storage.removeItem(startKey(localId));
  storage.removeItem(pendingKey(localId));
  storage.removeItem(cacheKey(localId));
}

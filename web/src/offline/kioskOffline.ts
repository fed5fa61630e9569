import { useEffect, useState } from 'react';
import { ApiError, isUnreachable } from '../api';
import { kioskCall, kioskToken } from '../pages/signin/kioskClient';
import type { KioskConfig, KioskGroup, KioskMatch } from '../pages/signin/signinApi';
import { answersRejectOffline, decideOffline, searchLocal, sha256, visitorBlocked } from './local';
import { afterWrongPin, makeVerifier, pinMatches, type PinVerifier } from './pin';
import { flushQueue, NetworkDown, newKey, TooLarge } from './queue';
import { offlineStore } from './store';
import type { OfflineData, OfflineEvent, OfflineGroup, OfflineMember, ReplayResult, SyncLogEntry } from './types';

/**
 * The kiosk's offline mode: a copy of what it needs in IndexedDB (refreshed while online), events
 * queued while the server cannot be reached and replayed in order when it can, the state shown on
 * screen, and the wipe on unpair, revoke or too long without contact.
 */

const K = { config: 'kiosk.config', data: 'kiosk.data', lastContact: 'kiosk.lastContact', offlineSince: 'kiosk.offlineSince', pins: 'kiosk.pins', pinTries: 'kiosk.pinTries' } as const;
/** The keys holding people's data (wiped after too long without contact). */
const COPY_KEYS = [K.config, K.data, K.pins, K.pinTries];
const REFRESH_MS = 60_000;
const TICK_MS = 3_000;

/**
 * Photos kept offline are made small on the device (the longer side at most PHOTO_PX, JPEG), each
 * at most PHOTO_MAX_BYTES, all of them at most PHOTOS_MAX_BYTES (the rest are shown online only).
 */
export const PHOTO_PX = 160;
export const PHOTO_MAX_BYTES = 48 * 1024;
export const PHOTOS_MAX_BYTES = 32 * 1024 * 1024;
/** What a match from the local copy gives as its photo URL: the photo is read from IndexedDB (see `photoObjectUrl`). */
export const OFFLINE_PHOTO = 'offline-photo:';

/** A photo made small for keeping (null: it cannot be decoded here, or is still too big). */
async function shrinkPhoto(blob: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas === 'undefined') return null;
  const bmp = await createImageBitmap(blob);
  try {
    const scale = Math.min(1, PHOTO_PX / Math.max(bmp.width, bmp.height));
    const w = Math.max(1, Math.round(bmp.width * scale));
    const h = Math.max(1, Math.round(bmp.height * scale));
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.drawImage(bmp, 0, 0, w, h);
    const out = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    return out.size <= PHOTO_MAX_BYTES ? out : null;
  } finally {
    bmp.close();
  }
}

export type OfflineState = { available: boolean; why: string | null; online: boolean; offlineSince: string | null; waiting: number; syncing: boolean; log: SyncLogEntry[]; copyAt: string | null };

/** Offline mode needs a service worker (HTTPS or localhost) and IndexedDB. */
export function offlineSupport(): { available: boolean; why: string | null } {
  if (typeof window === 'undefined') return { available: false, why: 'not a browser' };
  if (!window.isSecureContext) return { available: false, why: 'This kiosk is opened over plain HTTP. Browsers allow offline mode (a service worker) only over HTTPS or on localhost, so this kiosk needs the network for every sign-in. Ask your administrator to serve Threshold over HTTPS.' };
  if (!('serviceWorker' in navigator) || !('indexedDB' in window)) return { available: false, why: 'This browser does not support offline mode (service workers and IndexedDB).' };
  return { available: true, why: null };
}


type Listener = (s: OfflineState) => void;

class KioskOfflineController {
  state: OfflineState = { ...offlineSupport(), online: true, offlineSince: null, waiting: 0, syncing: false, log: [], copyAt: null };
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastRefresh = 0;
  private onUnpaired: (() => void) | null = null;
  private busy = false;
  private photosBusy = false;

  subscribe(l: Listener) {
    this.listeners.add(l);
    l(this.state);
    return () => void this.listeners.delete(l);
  }
  private set(patch: Partial<OfflineState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Starts the background work for a paired kiosk: service worker, refresh, sync, expiry. */
  async start(onUnpaired: () => void) {
    this.onUnpaired = onUnpaired;
    if (!this.state.available) return;
    void navigator.serviceWorker.register('/sw.js').then((reg) => this.watchUpdates(reg), () => undefined);
    const since = await offlineStore.get<string>(K.offlineSince);
    await this.expireIfOutOfContact();
    this.set({ offlineSince: since ?? null, online: !since, waiting: await offlineStore.count(), log: await offlineStore.log(), copyAt: (await this.data())?.generatedAt ?? null });
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
    void this.tick();
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A new build waits; it takes over when the kiosk is back on its start screen (see Kiosk.tsx). */
  private watchUpdates(reg: ServiceWorkerRegistration) {
    // Reload only for an update this page asked for (the first install's claim changes the controller too).
    let updating = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (!updating) return;
      updating = false;
      window.location.reload();
    });
    this.updateReady = () => Boolean(reg.waiting && navigator.serviceWorker.controller);
    this.applyUpdate = () => {
      if (!reg.waiting) return;
      updating = true;
      reg.waiting.postMessage('skip-waiting');
    };
  }
  updateReady: () => boolean = () => false;
  applyUpdate: () => void = () => undefined;

  /** The server answered: online again. */
  async contact() {
    if (!this.state.available) return;
    await offlineStore.set(K.lastContact, new Date().toISOString());
    if (!this.state.online || this.state.offlineSince) {
      await offlineStore.del(K.offlineSince);
      this.set({ online: true, offlineSince: null });
    }
  }
  /** The server could not be reached. */
  async lost() {
    if (!this.state.available) return;
    if (this.state.online || !this.state.offlineSince) {
      const since = this.state.offlineSince ?? new Date().toISOString();
      await offlineStore.set(K.offlineSince, since);
      this.set({ online: false, offlineSince: since });
    }
  }
  /** Unpaired or revoked: everything goes. */
  async wipe() {
    this.stop();
    if (this.state.available) await offlineStore.wipeAll();
    this.set({ waiting: 0, log: [], offlineSince: null, online: true, copyAt: null });
  }

  private async expireIfOutOfContact() {
    const last = await offlineStore.get<string>(K.lastContact);
    const data = await offlineStore.get<OfflineData>(K.data);
    if (!last || !data) return;
    if (Date.now() - new Date(last).getTime() > data.maxOfflineHours * 3_600_000) {
      await offlineStore.wipeCopy(COPY_KEYS);
      this.set({ copyAt: null });
    }
  }

  private async tick() {
    if (this.busy || !this.state.available || !kioskToken.get()) return;
    this.busy = true;
    try {
      await this.expireIfOutOfContact();
      if ((await offlineStore.count()) > 0 || !this.state.online) await this.sync();
      if (this.state.online && Date.now() - this.lastRefresh > REFRESH_MS) await this.refresh();
    } finally {
      this.busy = false;
    }
  }

  /** Handles an error of a call to the server; true when it was the network (the caller goes offline). */
  async failed(err: unknown): Promise<boolean> {
    if (err instanceof ApiError && err.status === 401) {
      await this.wipe();
      kioskToken.clear();
      this.onUnpaired?.();
      return false;
    }
    if (isUnreachable(err) && this.state.available) {
      await this.lost();
      return true;
    }
    return false;
  }

  /** Fetches the offline copy (and the config) while online. */
  async refresh() {
    try {
      const [config, data] = await Promise.all([kioskCall<KioskConfig>('GET', '/api/kiosk/config'), kioskCall<OfflineData>('GET', '/api/kiosk/offline')]);
      await offlineStore.set(K.config, config.body);
      await offlineStore.set(K.data, data.body);
      this.lastRefresh = Date.now();
      this.set({ copyAt: data.body.generatedAt });
      await this.contact();
      // In the background: the kiosk stays usable while photos arrive.
      void this.syncPhotos();
    } catch (err) {
      await this.failed(err);
    }
  }

  /**
   * Brings the kept photos in line with the copy: drops those no longer in it (or changed), then
   * fetches the missing ones one at a time, makes each small and keeps it, within the budget.
   */
  async syncPhotos() {
    if (this.photosBusy || !this.state.available) return;
    this.photosBusy = true;
    try {
      const d = await this.data();
      if (!d) return;
      const want = new Map<string, string>();
      for (const g of d.groups) for (const m of g.members) if (m.photo) want.set(m.id, m.photo);
      const have = await offlineStore.photoTags();
      await offlineStore.deletePhotos([...have].filter(([id, p]) => want.get(id) !== p.tag).map(([id]) => id));
      let used = [...have].reduce((n, [id, p]) => n + (want.get(id) === p.tag ? p.size : 0), 0);
      for (const [id, tag] of want) {
        if (have.get(id)?.tag === tag) continue;
        if (used >= PHOTOS_MAX_BYTES) break;
        const token = kioskToken.get();
        if (!token) return;
        let res: Response;
        try {
          res = await fetch(`/api/kiosk/members/${id}/photo`, { credentials: 'omit', headers: { authorization: `Bearer ${token}` } });
        } catch {
          return; // the network went: the next refresh carries on
        }
        if (res.status === 401) {
          await this.failed(new ApiError(401, 'unauthorized', 'This kiosk is no longer paired'));
          return;
        }
        if (!res.ok) continue;
        const small = await shrinkPhoto(await res.blob()).catch(() => null);
        if (!small) continue;
        // Wiped meanwhile (revoked, unpaired, out of contact): keep nothing.
        if (!(await this.data())) return;
        await offlineStore.putPhoto(id, { tag, blob: small });
        used += small.size;
      }
    } finally {
      this.photosBusy = false;
    }
  }

  /** A kept photo as an object URL for <img> (the caller revokes it), or null. */
  async photoObjectUrl(url: string): Promise<string | null> {
    if (!this.state.available || !url.startsWith(OFFLINE_PHOTO)) return null;
    const p = await offlineStore.photo(url.slice(OFFLINE_PHOTO.length));
    return p ? URL.createObjectURL(p.blob) : null;
  }

  /** Replays the queue; the state shows "syncing" meanwhile. */
  async sync() {
    this.set({ syncing: (await offlineStore.count()) > 0 });
    try {
      await flushQueue(offlineStore, async (events) => {
        try {
          const r = await kioskCall<{ results: ReplayResult[] }>('POST', '/api/kiosk/replay', { sentAt: new Date().toISOString(), events });
          return r.body.results;
        } catch (err) {
          if (isUnreachable(err)) throw new NetworkDown('offline');
          if (err instanceof ApiError && err.status === 413) throw new TooLarge(err.message);
          throw err;
        }
      });
      // Reached the server (or nothing to send and the probe below succeeds).
      if (!this.state.online) {
        await kioskCall('GET', '/api/kiosk/config');
        this.lastRefresh = 0;
      }
      await this.contact();
    } catch (err) {
      if (err instanceof NetworkDown) await this.lost();
      else await this.failed(err);
    } finally {
      this.set({ syncing: false, waiting: await offlineStore.count(), log: await offlineStore.log() });
    }
  }

  async config(): Promise<KioskConfig | undefined> {
    return this.state.available ? offlineStore.get<KioskConfig>(K.config) : undefined;
  }
  async saveConfig(c: KioskConfig) {
    if (this.state.available) await offlineStore.set(K.config, c);
  }
  private async data() {
    return this.state.available ? offlineStore.get<OfflineData>(K.data) : undefined;
  }
  private async group(groupId: string): Promise<OfflineGroup | undefined> {
    return (await this.data())?.groups.find((g) => g.id === groupId);
  }

  // ── The group PIN ──
  /** After the server accepted a PIN: a verifier for this device (made in the background). */
  async rememberPin(groupId: string, pin: string) {
    if (!this.state.available) return;
    const v = await makeVerifier(pin);
    const pins = (await offlineStore.get<Record<string, PinVerifier>>(K.pins)) ?? {};
    await offlineStore.set(K.pins, { ...pins, [groupId]: v });
    const tries = (await offlineStore.get<Record<string, number>>(K.pinTries)) ?? {};
    await offlineStore.set(K.pinTries, { ...tries, [groupId]: 0 });
  }
  /** The PIN offline: ok, wrong (tries left), or locked until online. */
  async checkPinOffline(groupId: string, pin: string): Promise<{ ok: boolean; message?: string }> {
    const v = (await offlineStore.get<Record<string, PinVerifier>>(K.pins))?.[groupId];
    if (!v) return { ok: false, message: 'This group’s PIN cannot be checked offline on this kiosk yet; please see reception.' };
    const tries = (await offlineStore.get<Record<string, number>>(K.pinTries)) ?? {};
    if ((tries[groupId] ?? 0) >= 5) return { ok: false, message: 'Too many wrong PINs: this group is locked until the kiosk is back online.' };
    if (await pinMatches(pin, v)) {
      await offlineStore.set(K.pinTries, { ...tries, [groupId]: 0 });
      return { ok: true };
    }
    const next = afterWrongPin(tries[groupId] ?? 0);
    await offlineStore.set(K.pinTries, { ...tries, [groupId]: next.tries });
    return { ok: false, message: next.locked ? 'Too many wrong PINs: this group is locked until the kiosk is back online.' : 'Wrong PIN' };
  }

  // ── Finding people ──
  async search(groupId: string, q: string): Promise<KioskMatch[]> {
    const g = await this.group(groupId);
    return g ? searchLocal(g.members, q).map(asMatch) : [];
  }
  async identifyQr(groupId: string, qrToken: string): Promise<KioskMatch | undefined> {
    const g = await this.group(groupId);
    const h = await sha256(qrToken);
    const m = g?.members.find((x) => x.qrHash === h);
    return m ? asMatch(m) : undefined;
  }
  async visitorsOnSite(groupId: string) {
    return (await this.group(groupId))?.visitorsOnSite ?? [];
  }

  // ── Signing in and out offline ──
  private async record(e: OfflineEvent, change: (d: OfflineData) => void) {
    await offlineStore.enqueue(e);
    const d = await this.data();
    if (d) {
      change(d);
      await offlineStore.set(K.data, d);
    }
    this.set({ waiting: await offlineStore.count() });
  }

  /** A member or visitor signing in offline: decided on the local copy, queued. */
  async signIn(group: KioskGroup, who: { member: KioskMatch } | { visitor: { fullName: string; company?: string; hostMemberId?: string } }, answers: Record<string, string | boolean>, agreementAccepted: boolean): Promise<{ admitted: boolean; reasons: string[] }> {
    const g = await this.group(group.id);
    const data = await this.data();
    if (!g || !data) return { admitted: false, reasons: ['This kiosk has no offline copy yet; please see reception.'] };
    const now = new Date();
    let verdict: { admitted: boolean; stale: boolean; reasons: string[] };
    if ('member' in who) {
      const m = g.members.find((x) => x.id === who.member.id);
      if (!m) return { admitted: false, reasons: ['Not found on this kiosk; please see reception.'] };
      if (m.onSite) return { admitted: false, reasons: [`${m.name} is already signed in`] };
      verdict = decideOffline(g, m, now);
    } else {
      verdict = g.safetyCheckMode !== 'off' && (await visitorBlocked(data.blockList, who.visitor.fullName)) ? { admitted: false, stale: false, reasons: ['This person may not sign in here; please see reception'] } : { admitted: true, stale: false, reasons: [] };
    }
    if (group.agreement && !agreementAccepted && ('visitor' in who || who.member.agreementDue)) verdict = { admitted: false, stale: false, reasons: ['The agreement was not accepted'] };
    // A question answered with its "reject on" answer: turned away here, as the server would. The
    // refusal is queued like any other offline refusal, so the history shows it (with the answers and
    // the server's own reason) as it would have online.
    const byAnswers = answersRejectOffline(g, answers);
    if (byAnswers.rejected) verdict = { admitted: false, stale: verdict.stale, reasons: [...byAnswers.reasons, ...(verdict.admitted ? [] : verdict.reasons.filter((r) => r !== SEE_RECEPTION))] };
    const key = newKey();
    const label = 'member' in who ? who.member.name : who.visitor.fullName;
    await this.record(
      { key, kind: 'sign_in', at: now.toISOString(), groupId: group.id, ...('member' in who ? { memberId: who.member.id } : { visitor: who.visitor }), answers, agreementAccepted, admitted: verdict.admitted, stale: verdict.stale, label },
      (d) => {
        if (!verdict.admitted) return;
        const dg = d.groups.find((x) => x.id === group.id);
        if (!dg) return;
        if ('member' in who) {
          for (const m of dg.members) {
            if (m.id !== who.member.id) continue;
            m.onSite = true;
            m.agreementDue = m.agreementDue && !agreementAccepted;
          }
        }
        if ('visitor' in who) dg.visitorsOnSite.push({ visitId: `local:${key}`, name: who.visitor.fullName, signedInAt: now.toISOString() });
      },
    );
    return { admitted: verdict.admitted, reasons: verdict.reasons };
  }

  /** A member (by id) or a visitor (by their visit, or their offline sign-in) signing out offline. */
  async signOut(groupId: string | null, who: { memberId: string; name: string } | { visitId: string; name: string }) {
    const now = new Date().toISOString();
    const ref = 'memberId' in who ? { memberId: who.memberId } : who.visitId.startsWith('local:') ? { signInKey: who.visitId.slice(6) } : { visitId: who.visitId };
    await this.record({ key: newKey(), kind: 'sign_out', at: now, ...ref, label: who.name }, (d) => {
      for (const g of d.groups) {
        if (groupId && g.id !== groupId) continue;
        if ('memberId' in who) for (const m of g.members) if (m.id === who.memberId) m.onSite = false;
        if ('visitId' in who) g.visitorsOnSite = g.visitorsOnSite.filter((v) => v.visitId !== who.visitId);
      }
    });
  }
  /** After an online sign-in or out, so the copy is right if the network drops before the next refresh. */
  async markOnSite(groupId: string, memberId: string, onSite: boolean) {
    const d = await this.data();
    const m = d?.groups.find((g) => g.id === groupId)?.members.find((x) => x.id === memberId);
    if (!d || !m) return;
    m.onSite = onSite;
    await offlineStore.set(K.data, d);
  }
  async memberOnSite(groupId: string, memberId: string): Promise<boolean | undefined> {
    return (await this.group(groupId))?.members.find((m) => m.id === memberId)?.onSite;
  }
}

/** What the server says on the lobby screen instead of reasons the group does not show. */
const SEE_RECEPTION = 'Please see reception.';

function asMatch(m: OfflineMember): KioskMatch {
  return { id: m.id, name: m.name, role: m.role, photoUrl: m.photo ? `${OFFLINE_PHOTO}${m.id}` : null, onSite: m.onSite, agreementDue: m.agreementDue };
}

/** One controller per page load (the kiosk is one device). */
export const kioskOffline = new KioskOfflineController();

export function useOfflineState(): OfflineState {
  const [s, setS] = useState(kioskOffline.state);
  useEffect(() => kioskOffline.subscribe(setS), []);
  return s;
}

/**
 * Online first, the local copy when the server cannot be reached (or is already known to be out
 * of reach: no waiting on a dead connection at every tap; the background sync notices its return).
 */
export async function tryOnline<T>(online: () => Promise<T>, offline: () => Promise<T>): Promise<T> {
  if (kioskOffline.state.available && !kioskOffline.state.online) return offline();
  try {
    return await online();
  } catch (err) {
    if (await kioskOffline.failed(err)) return offline();
    throw err;
  }
}

import { randomInt } from 'node:crypto';
import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { AppError, notFound, tooManyRequests } from '../../../platform/errors.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { countAttempt, releaseAttempt } from '../../../platform/lockout.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { sql } from 'drizzle-orm';
import { createGroupForKiosk, kioskRepo, type KioskDeviceRow } from './kiosk.repo.js';
import { createDeviceCache, createSeenBuffer, KIOSK_CHANGED_CHANNEL, KIOSK_SEEN_EVERY_MS } from './kiosk.devices.js';
import type { KioskPrincipal, SiteScope } from '../access.js';
import { readOptions } from '../groups/groups.schemas.js';
import type { GroupsService } from '../groups/groups.service.js';
import type { SitesService } from '../sites/sites.service.js';
import { groupsRepo } from '../groups/groups.repo.js';
import type { PinCheck } from './pin.js';
import { preparedSearch, qrQuery, runSearch, type SearchRow } from './kiosk.search.js';

export const PAIRING_TTL_MS = 10 * 60_000;
const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const PAIR_IP_POLICY = { limit: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export const normalisePairingCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

export function presentDevice(d: KioskDeviceRow) {
  return { id: d.id, siteId: d.siteId, name: d.name, prefix: d.prefix, lastSeenAt: d.lastSeenAt?.toISOString() ?? null, revoked: Boolean(d.revokedAt), createdAt: d.createdAt.toISOString() };
}

function presentMatch(r: SearchRow) {
  return {
    id: r.id,
    name: r.full_name,
    role: r.role,
    photoUrl: r.has_photo ? `/api/kiosk/members/${r.id}/photo?v=${r.version}` : null,
    onSite: r.on_site,
    agreementDue: r.agreement_due,
  };
}

export function createKioskService(deps: Pick<Platform, 'db' | 'now' | 'database' | 'config' | 'log'>, sitesService: SitesService, groupsService: GroupsService) {
  const { db, now } = deps;
  const devices = createDeviceCache({ ttlMs: deps.config.authCacheSeconds * 1000 });
  const groupForKiosk = createGroupForKiosk(db);
  const runSearchPrepared = preparedSearch(deps.database);
  const lastSeen = createSeenBuffer(db, (err) => deps.log.warn({ err }, 'could not write kiosks\' last-seen times'));

  async function createPairing(tenantId: string, scope: SiteScope, siteId: string, actor: Actor) {
    const site = await sitesService.get(tenantId, scope, siteId);
    if (site.archivedAt) throw new AppError(409, 'site_archived', 'The site is archived');
    const code = Array.from({ length: 8 }, () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)]).join('');
    const expiresAt = new Date(now().getTime() + PAIRING_TTL_MS);
    await inTransaction(db, async (t) => {
      await kioskRepo.insertPairing(t, { tenantId, siteId, codeHash: hashToken(code), expiresAt, createdBy: actor.id });
      await recordAudit(t, tenantId, actor, { action: 'kiosk.pairing_created', targetType: 'site', targetId: siteId, summary: `Kiosk pairing code made for ${site.name}` });
    });
    return { code, expiresAt: expiresAt.toISOString() };
  }

  /** Exchanges a pairing code (once, within 10 minutes) for the device's own token. */
  async function pair(code: string, name: string, ip: string) {
    const at = now();
    const ipKey = `kiosk-pair:ip:${ip}`;
    // Every try is counted before the code is checked (as the PIN's are), so a burst of guesses
    // cannot all slip past a read of the lock: at most the policy's limit are checked. A pairing
    // gives its try back.
    const locked = await countAttempt(db, ipKey, PAIR_IP_POLICY, at);
    if (locked > 0) throw tooManyRequests(locked, 'Too many pairing attempts; try again later');
    const token = newToken('thr_kiosk_');
    const result = await inTransaction(db, async (t) => {
      const p = await kioskRepo.usePairing(t, hashToken(normalisePairingCode(code)), at);
      if (!p) return undefined;
      // A code given before the site was archived pairs nothing there (no new code is given for an
      // archived site; this one paired a kiosk to it). Refused before the device is made.
      const site = await kioskRepo.site(t, p.tenantId, p.siteId);
      if (!site || site.archivedAt) throw new AppError(409, 'site_archived', 'The site is archived: pair the kiosk to another site');
      const device = await kioskRepo.insertDevice(t, { tenantId: p.tenantId, siteId: p.siteId, name, tokenHash: hashToken(token), prefix: token.slice(0, 14), lastSeenAt: at });
      await recordAudit(t, p.tenantId, { kind: 'kiosk', id: device.id, label: `kiosk ${name}` }, { action: 'kiosk.paired', targetType: 'kiosk', targetId: device.id, summary: `Kiosk ${name || device.prefix} paired` });
      return { device, site };
    });
    if (!result) throw new AppError(400, 'invalid_pairing_code', 'This pairing code is wrong, used or expired');
    await releaseAttempt(db, ipKey, at);
    return { deviceToken: token, device: presentDevice(result.device), site: { id: result.site.id, name: result.site.name } };
  }

  /**
   * The kiosk a device token names (undefined when unknown or revoked), from the device cache when
   * it is there; its last-seen time is written after the response, at most once a minute.
   */
  async function principalFromToken(token: string): Promise<Principal | undefined> {
    const d = await devices.resolve(hashToken(token), (hash) => kioskRepo.deviceByToken(db, hash));
    if (!d) return undefined;
    const at = now();
    if (!d.lastSeenAt || at.getTime() - d.lastSeenAt.getTime() > KIOSK_SEEN_EVERY_MS) {
      lastSeen.seen(d, at);
      d.lastSeenAt = at;
    }
    return { kind: 'kiosk', tenantId: d.tenantId, id: d.id, label: `kiosk ${d.name || d.prefix}`, role: null, scopes: [], resourceId: d.siteId };
  }

  async function listDevices(tenantId: string, scope: SiteScope, siteId: string) {
    await sitesService.get(tenantId, scope, siteId);
    const rows = await kioskRepo.devicesOf(db, tenantId, siteId);
    return rows.map(presentDevice);
  }

  /** Revokes a kiosk: its token stops working here at once and on every other instance when the NOTIFY arrives. */
  async function revoke(tenantId: string, scope: SiteScope, deviceId: string, actor: Actor) {
    const revoked = await inTransaction(db, async (t) => {
      const d = await kioskRepo.device(t, tenantId, deviceId);
      if (!d || (scope !== null && !scope.includes(d.siteId))) throw notFound('Kiosk');
      const row = await kioskRepo.revokeDevice(t, tenantId, deviceId, d.revokedAt ?? now());
      await recordAudit(t, tenantId, actor, { action: 'kiosk.revoked', targetType: 'kiosk', targetId: deviceId, summary: `Kiosk ${d.name || d.prefix} revoked` });
      await t.execute(sql`SELECT pg_notify(${KIOSK_CHANGED_CHANNEL}, ${tenantId})`);
      return presentDevice(row);
    });
    devices.drop(tenantId);
    return revoked;
  }

  /** The site and its groups as the kiosk shows them: public options only, never the PIN. */
  async function config(kiosk: KioskPrincipal) {
    const site = await sitesService.get(kiosk.tenantId, null, kiosk.resourceId);
    const rows = await kioskRepo.groupsOnSite(db, kiosk.tenantId, site.id);
    const pinned = await groupsRepo.pinnedGroupIds(db, kiosk.tenantId, rows.map((r) => r.group.id));
    return {
      site: { id: site.id, name: site.name, timezone: site.timezone },
      groups: rows.map(({ group: g }) => {
        const o = readOptions(g.options);
        return { id: g.id, name: g.name, type: g.type, colour: g.colour, hasPin: pinned.has(g.id), customFields: o.customFields.map(({ rejectOn: _r, ...f }) => f), agreement: o.agreement, printBadge: o.printBadge };
      }),
    };
  }

  async function unlock(kiosk: KioskPrincipal, groupId: string, pin: string, checkPin: (k: KioskPrincipal, g: string, pin: string | undefined) => Promise<void>) {
    await sitesService.get(kiosk.tenantId, [kiosk.resourceId], kiosk.resourceId);
    await groupsService.get(kiosk.tenantId, [kiosk.resourceId], groupId);
    await checkPin(kiosk, groupId, pin);
  }

  /**
   * The group of a kiosk request, with its PIN checked (`checkPin`): 404 when it is not shown on
   * the kiosk's site, before any PIN is checked or counted (a group elsewhere is not found,
   * whatever PIN is sent: its PIN cannot be guessed from this kiosk). One statement for the group,
   * its site and whether it has a PIN.
   */
  async function groupWithPin(kiosk: KioskPrincipal, groupId: string, pin: string | undefined, checkPin: PinCheck['checkPin']) {
    const row = await groupForKiosk(db, kiosk.tenantId, kiosk.resourceId, groupId);
    if (!row?.shown) throw notFound('Group');
    await checkPin(kiosk, groupId, pin, { hasPin: row.hasPin });
    return row.group;
  }

  /** Name search for the kiosk (see kiosk.search.ts) after the group's PIN; only what the kiosk shows is returned. */
  async function search(kiosk: KioskPrincipal, groupId: string, q: string, access: { pin: string | undefined; checkPin: PinCheck['checkPin'] }, limit = 20) {
    const group = await groupWithPin(kiosk, groupId, access.pin, access.checkPin);
    if (group.type === 'standard' || group.archivedAt) return [];
    const term = q.trim().slice(0, 100);
    if (term.length === 0) return [];
    const agreement = readOptions(group.options).agreement?.version ?? null;
    const rows = await runSearchPrepared(kiosk.tenantId, groupId, term, agreement, limit);
    return rows.map(presentMatch);
  }

  /** The member of this group a scanned QR code names (404 otherwise), shaped like a search hit, after the group's PIN. */
  async function identify(kiosk: KioskPrincipal, groupId: string, qrToken: string, access: { pin: string | undefined; checkPin: PinCheck['checkPin'] }) {
    const group = await groupWithPin(kiosk, groupId, access.pin, access.checkPin);
    // An archived group names nobody (its search finds none, its sign-in is refused).
    if (group.type === 'standard' || group.archivedAt) throw notFound('Member');
    const [row] = await runSearch(db, qrQuery(kiosk.tenantId, groupId, qrToken, readOptions(group.options).agreement?.version ?? null));
    if (!row) throw notFound('Member');
    return presentMatch(row);
  }

  /** Visitors of a standard group on site now (so they can find themselves to sign out): name and time only. */
  async function visitorsOnSite(kiosk: KioskPrincipal, groupId: string) {
    const group = await groupsService.get(kiosk.tenantId, [kiosk.resourceId], groupId);
    if (group.type !== 'standard') return [];
    const rows = await kioskRepo.visitorsOnSite(db, kiosk.tenantId, kiosk.resourceId, groupId);
    return rows.map((r) => ({ visitId: r.id, name: r.name, signedInAt: r.signedInAt.toISOString() }));
  }

  return {
    createPairing,
    pair,
    principalFromToken,
    listDevices,
    revoke,
    config,
    unlock,
    search,
    identify,
    /** A group shown on the kiosk's site (404 otherwise, before any PIN is checked), its PIN checked. */
    unlockedGroup: (kiosk: KioskPrincipal, groupId: string, access: { pin: string | undefined; checkPin: PinCheck['checkPin'] }) => groupWithPin(kiosk, groupId, access.pin, access.checkPin),
    visitorsOnSite,
    /** Forgets a tenant's cached devices (`undefined`: all), on a KIOSK_CHANGED_CHANNEL notification. */
    dropCachedDevices: devices.drop,
    /** Schedules the last-seen write (call it once a response has been sent). */
    afterResponse: lastSeen.afterResponse,
    /** Writes the pending last-seen times now (at close). */
    flushLastSeen: lastSeen.flush,
  };
}

export type KioskService = ReturnType<typeof createKioskService>;

import { sitesRepo } from './sites/sites.repo.js';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { UsersPort } from '../accounts/index.js';
import { AppError } from '../../platform/errors.js';
import { isUtf16Text, utf16Refusal } from '../../platform/csv.js';
import { bearerToken } from '../../platform/http/auth.js';
import { createSitesService } from './sites/sites.service.js';
import { sitesRoutes } from './sites/sites.routes.js';
import { createGroupsService } from './groups/groups.service.js';
import { groupsRoutes } from './groups/groups.routes.js';
import { createMembersService } from './members/members.service.js';
import { membersRoutes } from './members/members.routes.js';
import { createMemberImport } from './members/members.import.js';
import { MEMBERS_CHANGED_CHANNEL } from './members/members.counts.js';
import { createMemberEvents, type MemberChangeListener } from './members/member-events.js';
import { createVisitsService } from './visits/visits.service.js';
import { visitsRoutes } from './visits/visits.routes.js';
import { createKioskService } from './kiosk/kiosk.service.js';
import { KIOSK_CHANGED_CHANNEL } from './kiosk/kiosk.devices.js';
import { createNotifier } from '../../platform/live/notify.js';
import { kioskRoutes } from './kiosk/kiosk.routes.js';
import { createKioskOffline } from './kiosk/kiosk.offline.js';
import { createReplayService } from './visits/visits.replay.js';
import { createBlockListService } from './blocklist/blocklist.service.js';
import { blockListRoutes } from './blocklist/blocklist.routes.js';
import type { VisitEventSink } from './visits/visit-events.js';
import { createSigninLive, registerSigninLiveJobs } from './live/live.module.js';
import type { SafetyCheck } from './safety/safety.types.js';

export type { MembersPort, MemberRow, MemberInput, MemberWithGroup, ChangeSource, ComposedMemberWrites, Preparable } from './members/members.port.js';
export type { MemberWriteParts } from './members/members.repo.js';
export { createGroupsPort, GROUPS_CHANGED_CHANNEL, type GroupsPort, type GroupRow } from './groups/groups.port.js';
/** The error a write into an archived group answers (409 group_archived), for the writes other contexts make into one. */
export { groupArchived } from './groups/groups.service.js';
export type { MemberChange, MemberChangeKind, MemberChangeListener } from './members/member-events.js';
export type { VisitEvent, VisitEventSink, VisitEventType } from './visits/visit-events.js';
export type { SafetyCheck, SafetyContext, SafetyResult } from './safety/safety.types.js';
export type { BulkSafetyCheck, SafetyCheckMany } from './safety/bulk.js';
export { readOptions as readGroupOptions } from './groups/groups.schemas.js';
export type { VisitsService } from './visits/visits.service.js';
export { siteScopeOf, inScope, type SiteScope } from './access.js';
/** Sign-in's port for other contexts' references to sites (accounts' site scopes). */
export const sitesPort = { existingIds: sitesRepo.existingIds, namesOf: sitesRepo.namesOf };

/**
 * Sign-in's members and groups: the part other contexts need (SCIM, the integration), built
 * without the rest of sign-in (visits, kiosks, live, webhooks), over accounts' users port.
 * `memberListeners` are the other contexts' member-change hooks, passed in by the composition root.
 */
export function createSigninMembers(platform: Platform, ports: { users: UsersPort }, opts: { memberListeners?: readonly MemberChangeListener[] } = {}) {
  const events = createMemberEvents(opts.memberListeners);
  const groups = createGroupsService({ ...platform, users: ports.users });
  const membersService = createMembersService({ ...platform, events });
  const importer = createMemberImport({ ...platform, events }, membersService);
  return { groups, members: membersService.port, membersService, importer };
}
export type SigninMembers = ReturnType<typeof createSigninMembers>;

export type SigninOptions = {
  /** Visit event sinks besides the built-in ones (live roll call feed, webhooks). */
  sinks?: readonly VisitEventSink[];
  /** Safety checks run after the built-in ones, in order (the integration's Central Record check). */
  safetyChecks?: readonly SafetyCheck[];
};

/** The whole sign-in context, built once per platform by the composition root (src/contexts/compose.ts). */
export function createSignin(platform: Platform, core: SigninMembers, opts: SigninOptions = {}) {
  const { groups, membersService, importer } = core;
  const sites = createSitesService(platform);
  const live = createSigninLive(platform);
  const visits = createVisitsService(platform, groups, { sinks: [...live.sinks, ...(opts.sinks ?? [])], safetyChecks: opts.safetyChecks ?? [] });
  const kiosk = createKioskService(platform, sites, groups);
  const kioskOffline = createKioskOffline(platform, kiosk, visits);
  const replay = createReplayService(platform, visits);
  const blocks = createBlockListService(platform);
  return { sites, groups, members: membersService.port, membersService, visits, kiosk, kioskOffline, replay, blocks, importer, live };
}
export type Signin = ReturnType<typeof createSignin>;

/**
 * Sign-in: sites, groups, members, kiosks, the safety check, visits. Its hook authenticates kiosk
 * devices (`Authorization: Bearer thr_kiosk_…`) for every route.
 */
export function signinContext(platform: Platform, s: Signin): FastifyPluginAsync {
  return fp(
    async (app) => {
      // Cached kiosk devices are dropped on a revoke here and, through NOTIFY, on every other instance.
      const notifier = createNotifier(platform.database, platform.log);
      await notifier.subscribe(KIOSK_CHANGED_CHANNEL, (payload) => s.kiosk.dropCachedDevices(payload === '*' ? undefined : payload));
      // Groups' kept member totals are dropped when a write into the group commits, on every instance.
      await notifier.subscribe(MEMBERS_CHANGED_CHANNEL, (payload) => s.membersService.countsChanged(payload));
      // Callback hooks that finish without a promise when they have nothing to do: they run on every request.
      app.addHook('onResponse', (_req, _reply, done) => {
        s.kiosk.afterResponse();
        done();
      });
      app.addHook('onClose', async () => {
        await notifier.close();
        await s.kiosk.flushLastSeen();
      });
      app.addHook('onRequest', (req, _reply, done) => {
        if (req.principal) return done();
        const bearer = bearerToken(req);
        if (!bearer?.startsWith('thr_kiosk_')) return done();
        s.kiosk.principalFromToken(bearer).then((principal) => {
          if (!principal) return done(new AppError(401, 'invalid_kiosk_token', 'Unknown or revoked kiosk token'));
          req.principal = principal;
          req.authVia = 'device';
          done();
        }, done);
      });
      await app.register(async (scoped) => {
        // Text bodies (the members import's CSV) are UTF-8: a UTF-16 file is refused here, saying so,
        // before its NULs are refused as text that cannot be stored.
        scoped.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
          if (isUtf16Text(body)) return done(utf16Refusal());
          done(null, body.toString('utf8'));
        });
        scoped.addContentTypeParser(['image/jpeg', 'image/png', 'image/webp'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
        await scoped.register(sitesRoutes(platform, s.sites));
        await scoped.register(groupsRoutes(platform, s.groups));
        await scoped.register(membersRoutes(s.membersService, s.importer));
        await scoped.register(visitsRoutes(s.visits));
        await scoped.register(kioskRoutes(platform, s.kiosk, s.visits, s.membersService, { data: s.kioskOffline, replay: s.replay }));
        await scoped.register(blockListRoutes(s.blocks));
        await scoped.register(s.live.routes);
      });
    },
    { name: 'signin', dependencies: ['accounts'] },
  );
}

export const RETENTION_JOB = 'signin.visit-retention';

/** Job handlers and schedules of sign-in (see src/contexts/jobs.ts). */
export async function registerSigninJobs(platform: Platform, s: Signin): Promise<void> {
  await registerSigninLiveJobs(platform, s.visits.closeVisit);
  await platform.jobs.work(RETENTION_JOB, async () => {
    const deleted = await s.visits.applyRetention();
    platform.log.info({ deleted }, 'visit retention applied');
  });
  await platform.jobs.schedule(RETENTION_JOB, '17 3 * * *');
}

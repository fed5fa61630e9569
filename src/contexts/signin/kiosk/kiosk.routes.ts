import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { requireKiosk, siteScopeOf } from '../access.js';
import { idParams } from '../sites/sites.schemas.js';
import type { MembersService } from '../members/members.service.js';
import { sniffedType, streamToBuffer } from '../members/members.routes.js';
import type { VisitsService } from '../visits/visits.service.js';
import { badgeSchema, signInBody, signOutBody, visitSchema } from '../visits/visits.schemas.js';
import { presentForKiosk } from '../visits/visits.presenter.js';
import type { KioskService } from './kiosk.service.js';
import { offlineDataSchema, type KioskOffline } from './kiosk.offline.js';
import { replayBody, replayResultSchema, type ReplayService } from '../visits/visits.replay.js';

const deviceSchema = z.object({ id: z.string(), siteId: z.string(), name: z.string(), prefix: z.string(), lastSeenAt: z.string().nullable(), revoked: z.boolean(), createdAt: z.string() });
const kioskFieldSchema = z.object({ id: z.string(), label: z.string(), type: z.enum(['text', 'yesno', 'choice']), choices: z.array(z.string()).optional(), required: z.boolean() });
const configSchema = z.object({
  site: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  groups: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.enum(['standard', 'repeat', 'scim']),
      colour: z.string(),
      hasPin: z.boolean(),
      customFields: z.array(kioskFieldSchema),
      agreement: z.object({ text: z.string(), version: z.string() }).nullable(),
      printBadge: z.boolean(),
    }),
  ),
});
const matchSchema = z.object({ id: z.string(), name: z.string(), role: z.string(), photoUrl: z.string().nullable(), onSite: z.boolean(), agreementDue: z.boolean() });
const reasonSchema = z.object({ check: z.string(), code: z.string(), reason: z.string() });

export function kioskRoutes(_platform: Platform, kiosk: KioskService, visits: VisitsService, members: MembersService, offline: { data: KioskOffline; replay: ReplayService }): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = ['signin: kiosks'];
    const device = ['kiosk'];

    // ── Portal side: pairing codes and devices ──
    app.post(
      '/api/signin/sites/:id/kiosk-pairings',
      { schema: { tags: admin, summary: 'A one-time code (10 minutes) to pair a kiosk to this site', params: idParams, response: { 201: z.object({ code: z.string(), expiresAt: z.string() }) } } },
      async (req, reply) => {
        const p = authorize(req, 'signin.manage');
        return reply.status(201).send(await kiosk.createPairing(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req)));
      },
    );
    app.get(
      '/api/signin/sites/:id/kiosks',
      { schema: { tags: admin, summary: 'Kiosks paired to this site', params: idParams, response: { 200: z.object({ items: z.array(deviceSchema) }) } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return { items: await kiosk.listDevices(p.tenantId, siteScopeOf(p), req.params.id) };
      },
    );
    app.post(
      '/api/signin/kiosks/:id/revoke',
      { schema: { tags: admin, summary: 'Revoke a kiosk: its token stops working at once', params: idParams, response: { 200: deviceSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.manage');
        return kiosk.revoke(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req));
      },
    );

    // ── Device side ──
    app.post(
      '/api/kiosk/pair',
      {
        schema: {
          tags: device,
          summary: 'Pair this device with a code from the portal; returns its token (shown once)',
          security: [],
          body: z.object({ code: z.string().trim().min(4).max(20), name: z.string().trim().max(100).default('') }),
          response: { 201: z.object({ deviceToken: z.string(), device: deviceSchema, site: z.object({ id: z.string(), name: z.string() }) }) },
        },
      },
      async (req, reply) => reply.status(201).send(await kiosk.pair(req.body.code, req.body.name, req.ip)),
    );
    app.get('/api/kiosk/config', { schema: { tags: device, summary: 'The site and its groups as the kiosk shows them', response: { 200: configSchema } } }, async (req) => kiosk.config(requireKiosk(req)));
    app.post(
      '/api/kiosk/groups/:id/unlock',
      { schema: { tags: device, summary: 'Check a group PIN (403 when wrong; repeated failures are rate-limited)', params: idParams, body: z.object({ pin: z.string().min(1).max(16) }), response: { 200: z.object({ ok: z.literal(true) }) } } },
      async (req) => {
        const k = requireKiosk(req);
        await kiosk.unlock(k, req.params.id, req.body.pin, visits.checkPin);
        return { ok: true as const };
      },
    );
    app.post(
      '/api/kiosk/identify',
      {
        schema: {
          tags: device,
          summary: 'The member a scanned QR code names (404 when not of this group), so the kiosk can ask for the agreement and questions first',
          body: z.object({ groupId: z.uuid(), qrToken: z.string().min(1).max(200), pin: z.string().max(16).optional() }),
          response: { 200: matchSchema },
        },
      },
      async (req) => {
        const k = requireKiosk(req);
        return kiosk.identify(k, req.body.groupId, req.body.qrToken, { pin: req.body.pin, checkPin: visits.checkPin });
      },
    );
    app.get(
      '/api/kiosk/search',
      {
        schema: {
          tags: device,
          summary: 'Find a member of a group by part of the name (prefix and typo tolerant)',
          querystring: z.object({ groupId: z.uuid(), q: z.string().max(100).default(''), pin: z.string().max(16).optional() }),
          response: { 200: z.object({ items: z.array(matchSchema) }) },
        },
      },
      async (req) => {
        const k = requireKiosk(req);
        const pin = typeof req.headers['x-kiosk-pin'] === 'string' ? req.headers['x-kiosk-pin'] : req.query.pin;
        return { items: await kiosk.search(k, req.query.groupId, req.query.q, { pin, checkPin: visits.checkPin }) };
      },
    );
    app.get(
      '/api/kiosk/visitors',
      {
        schema: {
          tags: device,
          summary: 'Visitors of a standard group on site now, to sign out (names and times only)',
          querystring: z.object({ groupId: z.uuid(), pin: z.string().max(16).optional() }),
          response: { 200: z.object({ items: z.array(z.object({ visitId: z.string(), name: z.string(), signedInAt: z.string() })) }) },
        },
      },
      async (req) => {
        const k = requireKiosk(req);
        await kiosk.unlockedGroup(k, req.query.groupId, { pin: typeof req.headers['x-kiosk-pin'] === 'string' ? req.headers['x-kiosk-pin'] : req.query.pin, checkPin: visits.checkPin });
        return { items: await kiosk.visitorsOnSite(k, req.query.groupId) };
      },
    );
    app.get('/api/kiosk/members/:id/photo', { schema: { tags: device, summary: "A member's photo, for kiosks of sites showing the group", params: idParams } }, async (req, reply) => {
      const k = requireKiosk(req);
      const data = await streamToBuffer(await members.kioskPhoto(k.tenantId, k.resourceId, req.params.id));
      return reply.type(sniffedType(data)).header('cache-control', 'no-store').send(data);
    });
    app.post(
      '/api/kiosk/sign-in',
      {
        schema: {
          tags: device,
          summary: 'Sign in a member (by id or QR token) or a visitor, through the safety check',
          body: signInBody,
          response: {
            201: z.object({ outcome: z.literal('signed_in'), visit: visitSchema, reasons: z.array(reasonSchema), message: z.null(), badge: badgeSchema.optional() }),
            422: z.object({
              outcome: z.literal('rejected'),
              visit: visitSchema,
              reasons: z.array(reasonSchema).describe("Empty unless the group's showReasonsOnKiosk option allows them"),
              message: z.string().describe('What the kiosk shows: "Please see reception."'),
            }),
          },
        },
      },
      async (req, reply) => {
        const k = requireKiosk(req);
        const r = presentForKiosk(await visits.signIn(k, req.body));
        if (r.outcome === 'rejected') return reply.status(422).send({ outcome: 'rejected' as const, visit: r.visit, reasons: r.reasons, message: r.message ?? '' });
        return reply.status(201).send({ outcome: 'signed_in' as const, visit: r.visit, reasons: r.reasons, message: null, ...(r.badge ? { badge: r.badge } : {}) });
      },
    );
    app.post(
      '/api/kiosk/sign-out',
      { schema: { tags: device, summary: 'Sign out by member, QR token or visit (409 when not signed in)', body: signOutBody, response: { 200: z.object({ visit: visitSchema }) } } },
      async (req) => {
        const k = requireKiosk(req);
        // The lobby screen never needs a visit's safety-check reasons.
        return { visit: { ...(await visits.signOut(k, req.body)), reasons: [] } };
      },
    );

    // ── Offline: the local copy, the replay of queued events, the sync log ──
    app.get(
      '/api/kiosk/offline',
      { schema: { tags: device, summary: 'What this kiosk keeps to sign its groups in and out offline (the minimum; hashes for QR codes and the block list)', response: { 200: offlineDataSchema } } },
      async (req, reply) => reply.header('cache-control', 'no-store').send(await offline.data.data(requireKiosk(req))),
    );
    app.post(
      '/api/kiosk/replay',
      {
        schema: {
          tags: device,
          summary: 'Replay events recorded offline, in order: each idempotency key is accepted once, at its original time (clock-corrected), conflicts and refusals answered with a reason',
          body: replayBody,
          response: { 200: z.object({ results: z.array(replayResultSchema) }) },
        },
        bodyLimit: 2 * 1_048_576,
        // Each event's text is checked with the event (a bad one is refused alone), not with the body.
        config: { textCheckedPerItem: ['events'] },
      },
      async (req) => offline.replay.replay(requireKiosk(req), req.body),
    );
    app.get(
      '/api/kiosk/sync-log',
      {
        schema: {
          tags: device,
          summary: "This kiosk's replayed events that were refused or resolved as conflicts, newest first",
          response: { 200: z.object({ items: z.array(z.object({ key: z.string(), kind: z.string(), status: z.string(), code: z.string().nullable(), reason: z.string().nullable(), eventAt: z.string().nullable(), createdAt: z.string() })) }) },
        },
      },
      async (req) => ({ items: await offline.replay.log(requireKiosk(req)) }),
    );
  };
}

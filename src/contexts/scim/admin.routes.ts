import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storableDateTime } from '../../platform/http/dates.js';
import { actorOf, authorize } from '../../platform/http/auth.js';
import { reachedIds, reachOf } from '../../platform/http/access.js';
import type { Principal } from '../../platform/http/principal.js';
import { forbidden, notFound } from '../../platform/errors.js';
import type { ScimAccessService } from './access/access.service.js';
import { presentActivity, presentStatus } from './access/access.presenters.js';
import type { ScimMemberView } from './users/member-view.js';

const groupParams = z.object({ groupId: z.string() });

export const scimStatusSchema = z.object({
  groupId: z.string(),
  groupName: z.string(),
  baseUrl: z.string(),
  token: z.object({ prefix: z.string(), createdAt: z.string(), createdBy: z.string().nullable() }).nullable(),
  lastRequestAt: z.string().nullable(),
  users: z.number().int(),
});

export const scimActivitySchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      method: z.string(),
      path: z.string(),
      status: z.number().int(),
      durationMs: z.number().int(),
      scimType: z.string().nullable(),
      errorDetail: z.string().nullable(),
      requestId: z.string().nullable(),
    }),
  ),
  nextBefore: z.string().nullable(),
});

/** The portal's SCIM tab and the member page: session or API key with scim.manage. */
export function scimAdminRoutes(access: ScimAccessService, memberView: ScimMemberView): FastifyPluginAsyncZod {
  /** A caller scoped to sites sees the SCIM groups shown at one of theirs (else 404) and changes those shown only at theirs (else 403). */
  async function reach(p: Principal, groupId: string, need: 'see' | 'change', what = 'Group') {
    const r = await access.reachOf(p.tenantId, reachedIds(reachOf(p, 'site')), groupId);
    if (r === 'none') throw notFound(what);
    if (need === 'change' && r !== 'all') throw forbidden('This SCIM group is shown at sites beyond yours: only an administrator of every one of them can change it');
  }
  return async (app) => {
    const tags = ['scim admin'];
    app.get(
      '/api/scim/groups/:groupId',
      { schema: { tags, summary: 'The SCIM base URL and token status of a SCIM group', params: groupParams, response: { 200: scimStatusSchema } } },
      async (req) => {
        const p = authorize(req, 'scim.manage');
        await reach(p, req.params.groupId, 'see');
        return presentStatus(await access.status(p.tenantId, req.params.groupId));
      },
    );

    app.post(
      '/api/scim/groups/:groupId/token',
      {
        schema: {
          tags,
          summary: 'Generate the SCIM token (shown once); the previous token stops working',
          params: groupParams,
          response: { 201: z.object({ baseUrl: z.string(), token: z.string() }) },
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'scim.manage');
        await reach(p, req.params.groupId, 'change');
        return reply.status(201).send(await access.generateToken(p.tenantId, req.params.groupId, actorOf(req)));
      },
    );

    app.get(
      '/api/scim/groups/:groupId/activity',
      {
        schema: {
          tags,
          summary: 'The requests the SCIM group received (newest first, kept 30 days)',
          params: groupParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: storableDateTime.optional() }),
          response: { 200: scimActivitySchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'scim.manage');
        await reach(p, req.params.groupId, 'see');
        const page = await access.activity(p.tenantId, req.params.groupId, { limit: req.query.limit, before: req.query.before ? new Date(req.query.before) : undefined });
        return presentActivity(page);
      },
    );

    app.put(
      '/api/scim/groups/:groupId/rate-limit',
      {
        schema: {
          tags,
          summary: "Set the SCIM group's rate limit (token bucket: burst, then perSecond)",
          params: groupParams,
          body: z.object({ burst: z.number().int().min(1).max(1_000_000), perSecond: z.number().min(0.01).max(100_000) }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'scim.manage');
        await reach(p, req.params.groupId, 'change');
        await access.setRateLimit(p.tenantId, req.params.groupId, req.body);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/scim/members/:memberId',
      {
        schema: {
          tags,
          summary: 'The SCIM attributes stored for a member of a SCIM group, and its IdP groups',
          params: z.object({ memberId: z.string() }),
          response: {
            200: z.object({
              memberId: z.string(),
              groupId: z.string(),
              user: z.record(z.string(), z.unknown()),
              idpGroups: z.array(z.object({ id: z.string(), displayName: z.string() })),
            }),
          },
        },
      },
      async (req) => {
        const p = authorize(req, 'scim.manage');
        const view = await memberView.ofMember(p.tenantId, req.params.memberId);
        // A member of a group out of the caller's sites is not found, as on the member page itself.
        await reach(p, view.groupId, 'see', 'Member');
        return view;
      },
    );
  };
}

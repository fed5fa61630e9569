import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { presentMe } from '../accounts.presenters.js';
import { meSchema, setSessionCookie } from '../auth.routes.js';
import type { InvitesService } from './invites.service.js';
import {
  acceptBodySchema,
  inviteBodySchema,
  inviteCreatedSchema,
  inviteIdParams,
  invitePreviewSchema,
  pendingInviteListSchema,
  tokenParams,
} from './invites.schemas.js';
import type { OneTimeTokenRow } from './invites.repo.js';

function presentPendingInvite(r: OneTimeTokenRow) {
  return {
    id: r.id,
    email: r.email,
    role: r.role === 'admin' || r.role === 'manager' ? r.role : ('viewer' as const),
    name: r.name ?? '',
    scopes: r.scopes ?? [],
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  };
}

export function invitesRoutes(platform: Platform, invites: InvitesService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/users/invite',
      {
        schema: {
          tags: ['users'],
          summary: 'Invite someone by email: a one-time link, valid 7 days',
          body: inviteBodySchema,
          response: { 201: inviteCreatedSchema },
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'users.manage');
        const { invite, inviteUrl } = await invites.invite(p.tenantId, actorOf(req), req.body);
        return reply.status(201).send({ inviteId: invite.id, inviteUrl, expiresAt: invite.expiresAt.toISOString() });
      },
    );

    app.get(
      '/api/users/invites',
      { schema: { tags: ['users'], summary: 'Invitations not yet accepted', response: { 200: pendingInviteListSchema } } },
      async (req) => {
        const p = authorize(req, 'users.read');
        return { items: (await invites.listPending(p.tenantId)).map(presentPendingInvite) };
      },
    );

    app.delete(
      '/api/users/invites/:id',
      { schema: { tags: ['users'], summary: 'Revoke an invitation', params: inviteIdParams, response: { 204: z.null() } } },
      async (req, reply) => {
        const p = authorize(req, 'users.manage');
        await invites.revoke(p.tenantId, actorOf(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/invites/:token',
      {
        schema: {
          tags: ['auth'],
          summary: 'What an invitation link is for (404 invalid_token when used, expired or unknown)',
          security: [],
          params: tokenParams,
          response: { 200: invitePreviewSchema },
        },
      },
      async (req) => invites.preview(req.params.token),
    );

    app.post(
      '/api/invites/accept',
      {
        schema: {
          tags: ['auth'],
          summary: 'Accept an invitation: creates the account and signs in (sets the session cookie)',
          security: [],
          body: acceptBodySchema,
          response: { 200: meSchema },
        },
      },
      async (req, reply) => {
        const { token, session, user, tenant, scopes } = await invites.accept(req.body);
        setSessionCookie(reply, platform, token);
        return presentMe(user, scopes, tenant, session.csrfToken, false);
      },
    );
  };
}

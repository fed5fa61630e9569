import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Platform } from '../platform.js';
import { requirePrincipal } from '../http/auth.js';
import { forbidden, notFound } from '../errors.js';
import { listForUser, markAllRead, markRead, type NotificationRow } from './notifications.repo.js';

const notificationSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

function presentNotification(n: NotificationRow): z.infer<typeof notificationSchema> {
  return { id: n.id, title: n.title, body: n.body, link: n.link, createdAt: n.createdAt.toISOString(), readAt: n.readAt?.toISOString() ?? null };
}

/** The inbox belongs to a signed-in person; API keys have none. */
function inboxOwner(req: FastifyRequest) {
  const p = requirePrincipal(req);
  if (p.kind !== 'user' || !p.id) throw forbidden('Only a signed-in user has notifications');
  return { tenantId: p.tenantId, userId: p.id };
}

export function notificationRoutes(platform: Platform): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: "The signed-in user's notifications, newest first, and the unread count",
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ items: z.array(notificationSchema), unread: z.number().int() }) },
        },
      },
      async (req) => {
        const me = inboxOwner(req);
        const { items, unread } = await listForUser(platform.db, me.tenantId, me.userId, req.query.limit);
        return { items: items.map(presentNotification), unread };
      },
    );

    app.post(
      '/api/notifications/:id/read',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark one of your notifications read',
          params: z.object({ id: z.uuid() }),
          response: { 200: notificationSchema },
        },
      },
      async (req) => {
        const me = inboxOwner(req);
        const row = await markRead(platform.db, me.tenantId, me.userId, req.params.id, platform.now());
        if (!row) throw notFound('Notification');
        return presentNotification(row);
      },
    );

    app.post(
      '/api/notifications/read-all',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark all your notifications read',
          response: { 200: z.object({ updated: z.number().int() }) },
        },
      },
      async (req) => {
        const me = inboxOwner(req);
        return { updated: await markAllRead(platform.db, me.tenantId, me.userId, platform.now()) };
      },
    );
  };
}

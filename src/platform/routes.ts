import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from './platform.js';
import { auditRoutes } from './audit/audit.routes.js';
import { notificationRoutes } from './notifications/notifications.routes.js';

/**
 * The platform's own API (audit log, notifications inbox). Listed in src/contexts/index.ts right
 * after accounts, whose hook authenticates the requests.
 */
export function platformRoutes(platform: Platform): FastifyPluginAsync {
  return async (app) => {
    await app.register(auditRoutes(platform));
    await app.register(notificationRoutes(platform));
  };
}

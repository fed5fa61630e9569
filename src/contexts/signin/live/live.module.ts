import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../../platform/platform.js';
import type { VisitEventSink } from '../visits/visit-events.js';
import { createWebhooksService, registerWebhookJobs } from '../webhooks/webhooks.service.js';
import { webhooksRoutes } from '../webhooks/webhooks.routes.js';
import { createOnSiteService } from './on-site.service.js';
import { createRollCallsService } from './roll-calls.service.js';
import { liveRoutes } from './live.routes.js';

/**
 * The live side of sign-in, wired by signin/index.ts: the visit event sinks (webhooks, roll call
 * feed) that the visits service calls inside each visit's transaction, and the routes.
 */
export function createSigninLive(platform: Platform) {
  const webhooks = createWebhooksService(platform);
  const rollCalls = createRollCallsService(platform);
  const onSite = createOnSiteService(platform);
  const sinks: VisitEventSink[] = [webhooks.sink, rollCalls.sink];
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(webhooksRoutes(webhooks));
    await app.register(liveRoutes(platform, onSite, rollCalls));
  };
  return { sinks, routes, webhooks, rollCalls, onSite };
}

/** Job handlers and schedules of the live side (listed in contexts/jobs.ts). */
export async function registerSigninLiveJobs(platform: Platform): Promise<void> {
  await registerWebhookJobs(platform);
}

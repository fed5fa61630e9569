import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../../platform/platform.js';
import type { VisitEventSink } from '../visits/visit-events.js';
import { createWebhooksService, registerWebhookJobs } from '../webhooks/webhooks.service.js';
import { webhooksRoutes } from '../webhooks/webhooks.routes.js';
import { createOnSiteService } from './on-site.service.js';
import { createOverviewService } from './overview.service.js';
import { createRollCallsService } from './roll-calls.service.js';
import { liveRoutes } from './live.routes.js';
import { AUTO_SIGN_OUT_CRON, AUTO_SIGN_OUT_JOB, createAutoSignOut, type CloseVisit } from './auto-sign-out.js';

/**
 * The live side of sign-in, wired by signin/index.ts: the visit event sinks (webhooks, roll call
 * feed) that the visits service calls inside each visit's transaction, and the routes.
 */
export function createSigninLive(platform: Platform) {
  const webhooks = createWebhooksService(platform);
  const rollCalls = createRollCallsService(platform);
  const onSite = createOnSiteService(platform);
  const overview = createOverviewService(platform);
  const sinks: VisitEventSink[] = [webhooks.sink, rollCalls.sink];
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(webhooksRoutes(webhooks));
    await app.register(liveRoutes(platform, onSite, rollCalls, overview));
  };
  return { sinks, routes, webhooks, rollCalls, onSite };
}

/**
 * Job handlers and schedules of the live side, called by signin's registerSigninJobs with the
 * visits service's closeVisit (the one way a visit is signed out).
 */
export async function registerSigninLiveJobs(platform: Platform, closeVisit: CloseVisit): Promise<void> {
  await registerWebhookJobs(platform);
  const auto = createAutoSignOut(platform, closeVisit);
  await platform.jobs.work(AUTO_SIGN_OUT_JOB, async () => {
    await auto.run();
  });
  await platform.jobs.schedule(AUTO_SIGN_OUT_JOB, AUTO_SIGN_OUT_CRON);
}

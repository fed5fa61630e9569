import type { Platform } from '../platform/platform.js';
import { registerNotificationJobs } from './accounts/index.js';
import { registerRateLimitJobs } from '../platform/rate-limit.js';
import { registerAnalyzeJobs } from '../platform/db/analyze.js';
import { registerSigninJobs } from './signin/index.js';
import { registerScimJobs } from './scim/index.js';
import { registerIntegrationJobs } from './integration/index.js';
import { registerRecordJobs } from './record/index.js';
import { composeContexts, type Contexts } from './compose.js';

/**
 * Every job handler and schedule, registered by one function per context (and the platform's
 * own first), over the composed graph. Called by main.ts (WORKER=inline, with the HTTP app's
 * graph) and worker.ts; handlers must not need Fastify.
 */
export type JobRegistration = (platform: Platform, graph: Contexts) => Promise<void>;

export const jobRegistrations: JobRegistration[] = [
  (p) => registerNotificationJobs(p),
  (p) => registerRateLimitJobs(p),
  (p) => registerAnalyzeJobs(p),
  (p, g) => registerSigninJobs(p, g.signin),
  (p, g) => registerScimJobs(p, g.scim),
  (p, g) => registerIntegrationJobs(p, g.integration),
  (p, g) => registerRecordJobs(p, g.record),
];

export async function registerJobs(platform: Platform, graph: Contexts = composeContexts(platform)): Promise<void> {
  for (const register of jobRegistrations) await register(platform, graph);
}

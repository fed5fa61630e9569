import type { Platform } from '../platform/platform.js';
import { registerNotificationJobs } from '../platform/notifications/notify.js';
import { registerRateLimitJobs } from '../platform/rate-limit.js';
import { registerAnalyzeJobs } from '../platform/db/analyze.js';
import { registerSigninJobs } from './signin/index.js';
import { registerScimJobs } from './scim/index.js';
import { registerIntegrationJobs } from './integration/index.js';
import { registerRecordJobs } from './record/index.js';

/**
 * Every job handler and schedule, registered by one function per context (and the platform's
 * own first). Called by main.ts (WORKER=inline) and worker.ts; handlers must not need Fastify.
 */
export type JobRegistration = (platform: Platform) => Promise<void>;

export const jobRegistrations: JobRegistration[] = [registerNotificationJobs, registerRateLimitJobs, registerAnalyzeJobs, registerSigninJobs, registerScimJobs, registerIntegrationJobs, registerRecordJobs];

export async function registerJobs(platform: Platform): Promise<void> {
  for (const register of jobRegistrations) await register(platform);
}

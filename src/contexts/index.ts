import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.js';
import { accountsContext } from './accounts/index.js';
import { signinContext, sitesPort } from './signin/index.js';
import { platformRoutes } from '../platform/routes.js';
import { organisationsPort, recordContext } from './record/index.js';
import { integrationContext } from './integration/index.js';
import { scimContext } from './scim/index.js';

/** One plugin per bounded context, registered in this order (accounts first: it authenticates). */
export type ContextPlugin = (platform: Platform) => FastifyPluginAsync;

export const contexts: ContextPlugin[] = [
  // Accounts' user scopes point at sign-in's sites and the record's organisations.
  (p) => accountsContext(p, { scopeTargets: { site: sitesPort, organisation: organisationsPort } }),
  platformRoutes,
  (p) => signinContext(p),
  recordContext,
  integrationContext,
  scimContext,
];

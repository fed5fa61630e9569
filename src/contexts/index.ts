import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.js';
import { accountsContext } from './accounts/index.js';
import { signinContext, sitesPort } from './signin/index.js';
import { platformRoutes } from '../platform/routes.js';
import { organisationsPort, recordContext } from './record/index.js';
import { integrationContext } from './integration/index.js';
import { scimContext } from './scim/index.js';
import type { Contexts } from './compose.js';

/** One plugin per bounded context, in registration order (accounts first: it authenticates), over the composed graph. */
export function contextPlugins(platform: Platform, graph: Contexts): FastifyPluginAsync[] {
  return [
    // Accounts' user scopes point at sign-in's sites and the record's organisations.
    accountsContext(platform, { scopeTargets: { site: sitesPort, organisation: organisationsPort } }),
    platformRoutes(platform),
    signinContext(platform, graph.signin),
    recordContext(graph.record),
    integrationContext(platform, graph.integration),
    scimContext(platform, graph.scim),
  ];
}

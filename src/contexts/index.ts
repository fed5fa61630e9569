import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.js';
import { accountsContext } from './accounts/index.js';
import { signinContext } from './signin/index.js';
import { platformRoutes } from '../platform/routes.js';
import { recordContext } from './record/index.js';
import { integrationContext } from './integration/index.js';
import { scimContext } from './scim/index.js';
import type { Contexts } from './compose.js';

/** One plugin per bounded context, in registration order (accounts first: it authenticates), over the composed graph. */
export function contextPlugins(platform: Platform, graph: Contexts): FastifyPluginAsync[] {
  return [
    accountsContext(platform, graph.accounts),
    platformRoutes(platform),
    signinContext(platform, graph.signin),
    recordContext(graph.record),
    integrationContext(platform, graph.integration),
    scimContext(platform, graph.scim),
  ];
}

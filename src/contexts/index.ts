import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.js';
import { accountsContext } from './accounts/index.js';
import { signinContext } from './signin/index.js';
import { platformRoutes } from '../platform/routes.js';
import { recordContext } from './record/index.js';
import { integrationContext } from './integration/index.js';
import { scimContext, scimErrorDialect } from './scim/index.js';
import type { ErrorDialect } from '../platform/http/error-handler.js';
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

/** The error formats of the protocols the contexts speak, by the paths they own (SCIM's under /scim/v2). */
export const errorDialects: readonly ErrorDialect[] = [scimErrorDialect];

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { AccountsService } from '../accounts.service.js';
import type { ApiKeysService } from './api-keys.service.js';
import type { ApiKeyRow } from './api-keys.repo.js';
import { apiKeyCreatedSchema, apiKeyIdParams, apiKeyListSchema, createApiKeyBody } from './api-keys.schemas.js';

/** Never the token or its hash. */
export function presentApiKey(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function apiKeysRoutes(accounts: AccountsService, apiKeys: ApiKeysService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/api-keys',
      { schema: { tags: ['api keys'], summary: 'The tenant’s API keys (never their secrets)', response: { 200: apiKeyListSchema } } },
      async (req) => {
        const p = authorize(req, 'apikeys.manage');
        return { items: (await apiKeys.list(p.tenantId)).map(presentApiKey) };
      },
    );

    app.post(
      '/api/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Create an API key; the secret is in this answer only',
          body: createApiKeyBody,
          response: { 201: apiKeyCreatedSchema },
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'apikeys.manage');
        const { apiKey, key } = await accounts.createApiKey(p.tenantId, req.body, actorOf(req));
        return reply.status(201).send({ apiKey, key: presentApiKey(key) });
      },
    );

    app.delete(
      '/api/api-keys/:id',
      { schema: { tags: ['api keys'], summary: 'Revoke an API key', params: apiKeyIdParams, response: { 204: z.null() } } },
      async (req, reply) => {
        const p = authorize(req, 'apikeys.manage');
        await apiKeys.revoke(p.tenantId, actorOf(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}

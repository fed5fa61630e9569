import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { UsersService } from './users.service.js';
import { presentUserDetail } from './users.presenters.js';
import { scopesBodySchema, userIdParams, userListSchema, userPatchSchema, userSchema } from './users.schemas.js';

export function usersRoutes(users: UsersService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/users',
      { schema: { tags: ['users'], summary: 'The tenant’s users with their roles and scopes', response: { 200: userListSchema } } },
      async (req) => {
        const p = authorize(req, 'users.read');
        return { items: (await users.list(p.tenantId)).map(presentUserDetail) };
      },
    );

    app.get(
      '/api/users/:id',
      { schema: { tags: ['users'], summary: 'One user', params: userIdParams, response: { 200: userSchema } } },
      async (req) => {
        const p = authorize(req, 'users.read');
        return presentUserDetail(await users.get(p.tenantId, req.params.id));
      },
    );

    app.patch(
      '/api/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Rename, change the role of, disable or re-enable a user (not the owner’s role); 409 version_conflict if their role changed since `fromRole`',
          params: userIdParams,
          body: userPatchSchema,
          response: { 200: userSchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'users.manage');
        return presentUserDetail(await users.update(p, actorOf(req), req.params.id, req.body));
      },
    );

    app.put(
      '/api/users/:id/scopes',
      {
        schema: {
          tags: ['users'],
          summary: 'Replace the user’s scopes (sites, organisations); none means the whole tenant (409 version_conflict if they changed since `scopesVersion`)',
          params: userIdParams,
          body: scopesBodySchema,
          response: { 200: userSchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'users.manage');
        return presentUserDetail(await users.setScopes(p, actorOf(req), req.params.id, req.body.scopes, req.body.scopesVersion));
      },
    );

    app.post(
      '/api/users/:id/transfer-ownership',
      {
        schema: {
          tags: ['users'],
          summary: 'Hand ownership to this user; the current owner becomes an admin',
          params: userIdParams,
          response: { 200: userSchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'tenant.transfer_ownership');
        return presentUserDetail(await users.transferOwnership(p, actorOf(req), req.params.id));
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { forbidden } from '../../../platform/errors.js';
import { actorOf, authorize, requirePrincipal } from '../../../platform/http/auth.js';
import { presentTenant } from '../accounts.presenters.js';
import type { TenantService } from './tenant.service.js';
import { tenantPatchSchema, tenantSchema } from './tenant.schemas.js';

export function tenantRoutes(tenants: TenantService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/tenant',
      { schema: { tags: ['tenant'], summary: 'The caller’s tenant (a user or API key; a kiosk is refused)', response: { 200: tenantSchema } } },
      async (req) => {
        const p = requirePrincipal(req);
        // A kiosk shows one site and asks nothing of the tenant (its page reads /api/kiosk/config): a
        // device on a school's front desk is not told the tenant's settings.
        if (p.kind === 'kiosk') throw forbidden('A kiosk reads what it shows from /api/kiosk/config, not the tenant');
        return presentTenant(await tenants.get(p.tenantId));
      },
    );

    app.patch(
      '/api/tenant',
      {
        schema: {
          tags: ['tenant'],
          summary: 'Rename the tenant (owner, admin) or require two-factor sign-in (owner only)',
          body: tenantPatchSchema,
          response: { 200: tenantSchema },
        },
      },
      async (req) => {
        const p = authorize(req, 'settings.manage');
        return presentTenant(await tenants.update(p, actorOf(req), req.body));
      },
    );
  };
}

import { badRequest, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { assertCan } from '../../../platform/http/permissions.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { accountsRepo } from '../accounts.repo.js';
import { tenantRepo } from '../tenant/tenant.repo.js';
import { oidcRepo } from './oidc.repo.js';
import type { OidcContext } from './oidc.service.js';

/** "Sign in only through the identity provider": the setting (owner only) and its recovery from the CLI. */
export function createPasswordSignInSetting(ctx: Pick<OidcContext, 'db' | 'redirectUri'>) {
  const { db, redirectUri } = ctx;

  async function settings(principal: Principal) {
    assertCan(principal, 'settings.manage');
    const tenant = (await accountsRepo.findTenant(db, principal.tenantId))!;
    return { passwordSignInOff: tenant.passwordSignInOff, redirectUri };
  }

  /** "Sign in only through the identity provider" (owner only); needs a connection that is on. */
  async function setPasswordSignInOff(principal: Principal, actor: Actor, off: boolean) {
    assertCan(principal, 'tenant.manage');
    const { tenantId } = principal;
    await inTransaction(db, async (tx) => {
      const tenant = await tenantRepo.findForUpdate(tx, tenantId);
      if (!tenant) throw notFound('Tenant');
      if (tenant.passwordSignInOff === off) return;
      if (off && !(await oidcRepo.list(tx, tenantId)).some((c) => c.enabled)) {
        throw badRequest('no_enabled_connection', 'Add and turn on an identity provider connection first', 'passwordSignInOff');
      }
      await tenantRepo.update(tx, tenantId, { passwordSignInOff: off });
      await recordAudit(tx, tenantId, actor, {
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: tenantId,
        summary: off ? 'Password sign-in turned off: sign in only through the identity provider' : 'Password sign-in turned back on',
        data: { passwordSignInOff: { from: tenant.passwordSignInOff, to: off } },
      });
    });
    return settings(principal);
  }

  /** Recovery from the command line: password sign-in on again for the tenant (audited). */
  async function restorePasswordSignIn(tenantId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const tenant = await tenantRepo.findForUpdate(tx, tenantId);
      if (!tenant) throw notFound('Tenant');
      await tenantRepo.update(tx, tenantId, { passwordSignInOff: false });
      await recordAudit(tx, tenantId, actor, {
        action: 'tenant.password_signin_restored',
        targetType: 'tenant',
        targetId: tenantId,
        summary: 'Password sign-in turned back on from the command line (recovery)',
        data: { passwordSignInOff: { from: tenant.passwordSignInOff, to: false } },
      });
      return { wasOff: tenant.passwordSignInOff };
    });
  }

  return { settings, setPasswordSignInOff, restorePasswordSignIn };
}

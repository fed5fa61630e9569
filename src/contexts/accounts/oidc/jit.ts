import { recordAudit } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { accountsRepo } from '../accounts.repo.js';
import { usersRepo } from '../users/users.repo.js';
import { jitDecision, type ConnectionRules, type Identity, type RefusalReason } from './claims.js';
import type { JitRole } from './oidc.tables.js';
import type { ConnectionWithDomains } from './oidc.repo.js';

type User = NonNullable<Awaited<ReturnType<typeof accountsRepo.findUserByEmail>>>;

/** Who the checked identity is here: an existing user of the connection's tenant, or one to create just in time (with its role). */
export type Admission = { ok: true; existing: User; role?: undefined } | { ok: true; existing: undefined; role: JitRole } | { ok: false; reason: RefusalReason; detail?: string };

/**
 * May this identity sign in through the connection? A user of another tenant, a disabled user, or
 * an unknown one when JIT is off (or its groups give no role) is refused.
 */
export async function admit(db: DbOrTx, c: ConnectionWithDomains, rules: ConnectionRules, identity: Identity): Promise<Admission> {
  const existing = await accountsRepo.findUserByEmail(db, identity.email);
  if (existing && existing.tenantId !== c.tenantId) return { ok: false, reason: 'wrong_tenant' };
  if (existing?.disabledAt) return { ok: false, reason: 'user_disabled' };
  if (existing) return { ok: true, existing };
  if (!c.jitEnabled) return { ok: false, reason: 'unknown_user' };
  const jit = jitDecision(rules, identity);
  if (!jit.ok) return { ok: false, reason: jit.reason, detail: identity.groups ? `groups: ${identity.groups.join(', ')}` : 'no groups claim' };
  return { ok: true, existing: undefined, role: jit.role };
}

/**
 * The admitted identity's session, in one transaction with the user created just in time (its
 * role and the connection's scopes) and their audit rows.
 */
export async function signInThrough(db: DbOrTx, c: ConnectionWithDomains, identity: Identity, admitted: Extract<Admission, { ok: true }>, at: Date) {
  return inTransaction(db, async (tx) => {
    const actorLabel = `OpenID Connect: ${c.label}`;
    let user: User;
    if (admitted.existing) user = admitted.existing;
    else {
      const role = admitted.role;
      user = await accountsRepo.insertUser(tx, { tenantId: c.tenantId, email: identity.email, name: identity.name, passwordHash: null, role, sessionsValidAfter: at });
      if (c.jitScopes.length > 0) await usersRepo.replaceScopes(tx, c.tenantId, user.id, c.jitScopes);
      await recordAudit(tx, c.tenantId, { kind: 'system', id: null, label: actorLabel }, {
        action: 'user.created',
        targetType: 'user',
        targetId: user.id,
        summary: `User ${identity.email} created as ${role} on first sign-in through ${c.label}`,
        data: { via: 'oidc', connectionId: c.id, role, groups: identity.groups ?? [], scopes: c.jitScopes },
      });
    }
    const totpRequired = Boolean(user.totpEnabledAt) && !identity.mfa;
    const { token } = await accountsRepo.insertSession(tx, user, at, totpRequired, { authMethod: 'oidc', oidcConnectionId: c.id, mfaByIdp: identity.mfa });
    await recordAudit(tx, c.tenantId, { kind: 'user', id: user.id, label: user.email }, {
      action: 'oidc.signed_in',
      targetType: 'user',
      targetId: user.id,
      summary: `${user.email} signed in through ${c.label}${identity.mfa ? ' (multi-factor at the identity provider)' : ''}`,
      data: { connectionId: c.id, mfaByIdp: identity.mfa, created: !admitted.existing },
    });
    return { ok: true as const, token, totpRequired };
  });
}

import type { UserWithScopes } from './users.repo.js';
import { scopesVersionOf } from './scopes-version.js';

export function presentUserDetail(u: UserWithScopes) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    totpEnabled: Boolean(u.totpEnabledAt),
    disabled: Boolean(u.disabledAt),
    createdAt: u.createdAt.toISOString(),
    scopes: u.scopes,
    scopesVersion: scopesVersionOf(u.scopes),
  };
}

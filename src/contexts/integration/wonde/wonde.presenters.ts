import type { ConnectionRow } from './wonde.repo.js';

/** A Wonde connection as the API shows it: never the token, only whether there is one. */
export function presentConnection(c: ConnectionRow) {
  return {
    organisationId: c.organisationId,
    enabled: c.enabled,
    schoolId: c.schoolId,
    authMode: c.authMode,
    hasToken: Boolean(c.tokenEncrypted),
    mapping: c.mapping,
    lastSyncedAt: c.lastSyncedAt?.toISOString() ?? null,
    lastRunId: c.lastRunId,
    lastError: c.lastError,
  };
}

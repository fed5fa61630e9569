import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Settings area: one per resource; a mutation invalidates the keys it changes. */
export const settingsKeys = {
  apiKeys: ['settings', 'api-keys'] as const,
  oidcConnections: ['settings', 'oidc', 'connections'] as const,
  oidcSettings: ['settings', 'oidc', 'settings'] as const,
  users: ['settings', 'users'] as const,
  invites: ['settings', 'users', 'invites'] as const,
  audit: ['settings', 'audit'] as const,
  auditOf: (q: AuditFilter) => ['settings', 'audit', q] as const,
};

/** The audit log's filter, as the API takes it (from inclusive, to exclusive). */
export type AuditFilter = { action?: string; actorId?: string; targetType?: string; from?: string; to?: string };

/** The audit log, newest first, a page at a time (`fetchNextPage` follows nextCursor). */
export const auditQuery = (q: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: settingsKeys.auditOf(q),
    queryFn: ({ pageParam }) => ok(client.GET('/api/audit', { params: { query: { ...q, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const usersQuery = () => queryOptions({ queryKey: settingsKeys.users, queryFn: () => ok(client.GET('/api/users')) });
export const invitesQuery = () => queryOptions({ queryKey: settingsKeys.invites, queryFn: () => ok(client.GET('/api/users/invites')) });

export const apiKeysQuery = () => queryOptions({ queryKey: settingsKeys.apiKeys, queryFn: () => ok(client.GET('/api/api-keys')) });

export const oidcConnectionsQuery = () =>
  queryOptions({ queryKey: settingsKeys.oidcConnections, queryFn: () => ok(client.GET('/api/oidc/connections')) });
export const oidcSettingsQuery = () => queryOptions({ queryKey: settingsKeys.oidcSettings, queryFn: () => ok(client.GET('/api/oidc/settings')) });

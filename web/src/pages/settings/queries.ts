import { queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Settings area: one per resource; a mutation invalidates the keys it changes. */
export const settingsKeys = {
  apiKeys: ['settings', 'api-keys'] as const,
  oidcConnections: ['settings', 'oidc', 'connections'] as const,
  oidcSettings: ['settings', 'oidc', 'settings'] as const,
};

export const apiKeysQuery = () => queryOptions({ queryKey: settingsKeys.apiKeys, queryFn: () => ok(client.GET('/api/api-keys')) });

export const oidcConnectionsQuery = () =>
  queryOptions({ queryKey: settingsKeys.oidcConnections, queryFn: () => ok(client.GET('/api/oidc/connections')) });
export const oidcSettingsQuery = () => queryOptions({ queryKey: settingsKeys.oidcSettings, queryFn: () => ok(client.GET('/api/oidc/settings')) });

import { queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Settings area: one per resource; a mutation invalidates the keys it changes. */
export const settingsKeys = {
  apiKeys: ['settings', 'api-keys'] as const,
};

export const apiKeysQuery = () => queryOptions({ queryKey: settingsKeys.apiKeys, queryFn: () => ok(client.GET('/api/api-keys')) });

import { queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Integrations area: one per resource; a mutation invalidates the keys it changes. */
export const integrationKeys = {
  all: ['integration'] as const,
  typeMap: ['integration', 'type-map'] as const,
};

export const typeMapQuery = () => queryOptions({ queryKey: integrationKeys.typeMap, queryFn: () => ok(client.GET('/api/integration/type-map')) });

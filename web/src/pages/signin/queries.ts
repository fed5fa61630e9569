import { queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/**
 * Query keys of the Sign-in area: one per resource, nested so that invalidating `sites` also
 * refreshes each site's kiosks. A mutation invalidates the keys it changes.
 */
export const signinKeys = {
  sites: ['signin', 'sites'] as const,
  siteKiosks: (siteId: string) => ['signin', 'sites', siteId, 'kiosks'] as const,
  groups: ['signin', 'groups'] as const,
};

export const sitesQuery = () => queryOptions({ queryKey: signinKeys.sites, queryFn: () => ok(client.GET('/api/signin/sites')) });

export const siteKiosksQuery = (siteId: string) =>
  queryOptions({ queryKey: signinKeys.siteKiosks(siteId), queryFn: () => ok(client.GET('/api/signin/sites/{id}/kiosks', { params: { path: { id: siteId } } })) });

export const groupsQuery = () => queryOptions({ queryKey: signinKeys.groups, queryFn: () => ok(client.GET('/api/signin/groups')) });

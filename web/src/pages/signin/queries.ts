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
  overview: ['signin', 'overview'] as const,
  onSite: (siteId: string) => ['signin', 'on-site', siteId] as const,
  visits: ['signin', 'visits'] as const,
};

export const sitesQuery = () => queryOptions({ queryKey: signinKeys.sites, queryFn: () => ok(client.GET('/api/signin/sites')) });

export const siteKiosksQuery = (siteId: string) =>
  queryOptions({ queryKey: signinKeys.siteKiosks(siteId), queryFn: () => ok(client.GET('/api/signin/sites/{id}/kiosks', { params: { path: { id: siteId } } })) });

export const groupsQuery = () => queryOptions({ queryKey: signinKeys.groups, queryFn: () => ok(client.GET('/api/signin/groups')) });

/** Sign-in at a glance; the landing page polls it. */
export const overviewQuery = () =>
  queryOptions({ queryKey: signinKeys.overview, queryFn: () => ok(client.GET('/api/signin/overview')), refetchInterval: 30_000 });

/** Who is on a site now; polled while the page is open. */
export const onSiteQuery = (siteId: string) =>
  queryOptions({
    queryKey: signinKeys.onSite(siteId),
    queryFn: () => ok(client.GET('/api/signin/sites/{siteId}/on-site', { params: { path: { siteId } } })),
    refetchInterval: 30_000,
  });

/** Webhook subscriptions; each one's delivery log nests under it. */
export const webhookKeys = {
  all: ['signin', 'webhooks'] as const,
  deliveries: (id: string) => ['signin', 'webhooks', id, 'deliveries'] as const,
};

export const webhooksQuery = () => queryOptions({ queryKey: webhookKeys.all, queryFn: () => ok(client.GET('/api/signin/webhooks')) });

/** A webhook's delivery log, polled every 2 s while a delivery is pending (in flight or to be retried). */
export const deliveriesQuery = (id: string) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(id),
    queryFn: () => ok(client.GET('/api/signin/webhooks/{id}/deliveries', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'pending') ? 2000 : false),
  });

export const blockListKey = ['signin', 'block-list'] as const;
export const blockListQuery = () => queryOptions({ queryKey: blockListKey, queryFn: () => ok(client.GET('/api/signin/block-list')) });
export const signinSettingsKey = ['signin', 'settings'] as const;
export const signinSettingsQuery = () => queryOptions({ queryKey: signinSettingsKey, queryFn: () => ok(client.GET('/api/signin/settings')) });

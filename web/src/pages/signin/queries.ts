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
  group: (id: string) => ['signin', 'groups', id] as const,
  members: (groupId: string) => ['signin', 'groups', groupId, 'members'] as const,
  contactCandidates: (groupId: string) => ['signin', 'groups', groupId, 'contact-candidates'] as const,
  member: (id: string) => ['signin', 'members', id] as const,
  rollCalls: ['signin', 'roll-calls'] as const,
  rollCall: (id: string) => ['signin', 'roll-calls', id] as const,
  overview: ['signin', 'overview'] as const,
  onSite: (siteId: string) => ['signin', 'on-site', siteId] as const,
  visits: ['signin', 'visits'] as const,
};

export const sitesQuery = () => queryOptions({ queryKey: signinKeys.sites, queryFn: () => ok(client.GET('/api/signin/sites')) });
/** The archived sites alone (nested under `sites`: an archive or a restore refreshes both lists). */
export const archivedSitesQuery = () =>
  queryOptions({
    queryKey: [...signinKeys.sites, 'archived'] as const,
    queryFn: async () => ({ items: (await ok(client.GET('/api/signin/sites', { params: { query: { archived: 'true' } } }))).items.filter((s) => s.archived) }),
  });

export const siteKiosksQuery = (siteId: string) =>
  queryOptions({ queryKey: signinKeys.siteKiosks(siteId), queryFn: () => ok(client.GET('/api/signin/sites/{id}/kiosks', { params: { path: { id: siteId } } })) });

export const groupsQuery = () => queryOptions({ queryKey: signinKeys.groups, queryFn: () => ok(client.GET('/api/signin/groups')) });

/** One group and its sign-in options (nested under `groups`: a change to any group refreshes it). */
export const groupQuery = (id: string) => queryOptions({ queryKey: signinKeys.group(id), queryFn: () => ok(client.GET('/api/signin/groups/{id}', { params: { path: { id } } })) });

/** Whom a group's contacts may be, and its contacts who no longer reach its sites (nested under the group: a change to it refreshes them). */
export const contactCandidatesQuery = (groupId: string) =>
  queryOptions({ queryKey: signinKeys.contactCandidates(groupId), queryFn: () => ok(client.GET('/api/signin/groups/{id}/contact-candidates', { params: { path: { id: groupId } } })) });

export type MemberListQuery = { q: string; archived: 'active' | 'archived'; limit: number; offset: number };

/** A page of a group's members (nested under the group). */
export const membersQuery = (groupId: string, query: MemberListQuery) =>
  queryOptions({
    queryKey: [...signinKeys.members(groupId), query] as const,
    queryFn: () => ok(client.GET('/api/signin/groups/{groupId}/members', { params: { path: { groupId }, query: { ...query, q: query.q || undefined } } })),
  });

export const memberQuery = (id: string) => queryOptions({ queryKey: signinKeys.member(id), queryFn: () => ok(client.GET('/api/signin/members/{id}', { params: { path: { id } } })) });

/** The roll calls, open and closed (each one's view nests under it). */
export const rollCallsQuery = () => queryOptions({ queryKey: signinKeys.rollCalls, queryFn: () => ok(client.GET('/api/signin/roll-calls')) });

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

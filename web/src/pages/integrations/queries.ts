import { queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Integrations area: one per resource; a mutation invalidates the keys it changes. */
export const integrationKeys = {
  all: ['integration'] as const,
  typeMap: ['integration', 'type-map'] as const,
  syncLog: ['integration', 'sync-log'] as const,
  syncLogOf: (q: SyncLogFilter) => ['integration', 'sync-log', q] as const,
  run: (id: string) => ['integration', 'runs', id] as const,
  runs: ['integration', 'runs'] as const,
  links: ['integration', 'links'] as const,
  exclusions: ['integration', 'exclusions'] as const,
  merges: ['integration', 'merges'] as const,
  settings: ['integration', 'settings'] as const,
  mergeQueue: ['integration', 'merge-queue'] as const,
  wonde: (organisationId: string) => ['integration', 'wonde', organisationId] as const,
  groupLink: (groupId: string) => ['integration', 'links', 'group', groupId] as const,
};

/** The sync log of one person (by profile or member) or one run; empty for the latest of all. */
export type SyncLogFilter = { profileId?: string; memberId?: string; runId?: string };

export const typeMapQuery = () => queryOptions({ queryKey: integrationKeys.typeMap, queryFn: () => ok(client.GET('/api/integration/type-map')) });

export const syncLogQuery = (q: SyncLogFilter = {}) =>
  queryOptions({ queryKey: integrationKeys.syncLogOf(q), queryFn: () => ok(client.GET('/api/integration/sync-log', { params: { query: q } })) });

/** True once a run is done or failed: nothing about it changes after that. */
export const runFinished = (status: string | undefined) => status === 'done' || status === 'failed';

/** A run, polled every 700 ms until it is done or failed. */
export const runQuery = (id: string) =>
  queryOptions({
    queryKey: integrationKeys.run(id),
    queryFn: () => ok(client.GET('/api/integration/runs/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (runFinished(q.state.data?.status) ? false : 700),
  });

export const linksQuery = () => queryOptions({ queryKey: integrationKeys.links, queryFn: () => ok(client.GET('/api/integration/links')) });
export const runsQuery = () => queryOptions({ queryKey: integrationKeys.runs, queryFn: () => ok(client.GET('/api/integration/runs')) });
export const exclusionsQuery = () => queryOptions({ queryKey: integrationKeys.exclusions, queryFn: () => ok(client.GET('/api/integration/exclusions')) });
export const mergesQuery = () => queryOptions({ queryKey: integrationKeys.merges, queryFn: () => ok(client.GET('/api/integration/merges')) });
export const integrationSettingsQuery = () => queryOptions({ queryKey: integrationKeys.settings, queryFn: () => ok(client.GET('/api/integration/settings')) });

/** A group and its link (nested under `links`, so a change to any link refreshes it). */
export const groupLinkQuery = (groupId: string) =>
  queryOptions({
    queryKey: integrationKeys.groupLink(groupId),
    queryFn: () => ok(client.GET('/api/integration/groups/{groupId}/link', { params: { path: { groupId } } })),
  });

export const mergeQueueQuery = () => queryOptions({ queryKey: integrationKeys.mergeQueue, queryFn: () => ok(client.GET('/api/integration/merge-queue')) });

/** One suggested pair, side by side (nested under the queue). */
export const mergePairQuery = (id: string) =>
  queryOptions({
    queryKey: [...integrationKeys.mergeQueue, id] as const,
    queryFn: () => ok(client.GET('/api/integration/merge-queue/{id}', { params: { path: { id } } })),
  });

/** An organisation's Wonde connection (the token is never shown). */
export const wondeQuery = (organisationId: string) =>
  queryOptions({
    queryKey: integrationKeys.wonde(organisationId),
    queryFn: () => ok(client.GET('/api/integration/organisations/{organisationId}/wonde', { params: { path: { organisationId } } })),
  });

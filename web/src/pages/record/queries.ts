import { keepPreviousData, queryOptions, useQueryClient } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Central Record: one per resource, nested so `profiles` refreshes every filtered list. */
export const recordKeys = {
  organisations: ['record', 'organisations'] as const,
  profileTypes: ['record', 'profile-types'] as const,
  fields: ['record', 'fields'] as const,
  profiles: ['record', 'profiles'] as const,
  checks: ['record', 'checks'] as const,
  retention: ['record', 'retention'] as const,
};

export const organisationsQuery = () => queryOptions({ queryKey: recordKeys.organisations, queryFn: () => ok(client.GET('/api/record/organisations')) });
export const profileTypesQuery = () => queryOptions({ queryKey: recordKeys.profileTypes, queryFn: () => ok(client.GET('/api/record/profile-types')) });
export const fieldsQuery = () => queryOptions({ queryKey: recordKeys.fields, queryFn: () => ok(client.GET('/api/record/fields')) });

export const checksQuery = () => queryOptions({ queryKey: recordKeys.checks, queryFn: () => ok(client.GET('/api/record/checks')) });
/** Archived leavers whose retention period has ended, awaiting an administrator's approval. */
export const retentionQuery = () => queryOptions({ queryKey: recordKeys.retention, queryFn: () => ok(client.GET('/api/record/retention')) });

export const ratingSystemsKey = ['record', 'rating-systems'] as const;
export const ratingSystemsQuery = () => queryOptions({ queryKey: ratingSystemsKey, queryFn: () => ok(client.GET('/api/record/rating-systems')) });

/** The readiness dashboard of one organisation (or all) on a day (empty: today). */
export const dashboardQuery = (q: { organisationId?: string; asOf?: string }) =>
  queryOptions({
    queryKey: ['record', 'dashboard', q] as const,
    queryFn: () => ok(client.GET('/api/record/dashboard', { params: { query: q } })),
    placeholderData: keepPreviousData,
  });

/** One profile, nested under `profiles` (so a change to any profile refreshes the lists too); its history under it. */
/** One profile, rated on `asOf` (default: today in its organisation's time zone). */
export const profileQuery = (id: string, asOf?: string) =>
  queryOptions({
    queryKey: [...recordKeys.profiles, id, { asOf }] as const,
    queryFn: () => ok(client.GET('/api/record/profiles/{id}', { params: { path: { id }, query: { asOf } } })),
  });
export const profileHistoryQuery = (id: string) =>
  queryOptions({
    queryKey: [...recordKeys.profiles, id, 'history'] as const,
    queryFn: () => ok(client.GET('/api/record/profiles/{id}/history', { params: { path: { id } } })),
  });

/**
 * After a change to the record's settings (an organisation, profile type, check or rating system):
 * every rating, list, dashboard and field catalogue of the record may change with it, so the whole
 * `record` namespace is refetched (settings change rarely; only the queries on screen refetch).
 */
export function useRecordSettingsChanged() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['record'] });
}

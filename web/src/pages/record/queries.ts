import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the Central Record: one per resource, nested so `profiles` refreshes every filtered list. */
export const recordKeys = {
  organisations: ['record', 'organisations'] as const,
  profileTypes: ['record', 'profile-types'] as const,
  fields: ['record', 'fields'] as const,
  profiles: ['record', 'profiles'] as const,
};

export const organisationsQuery = () => queryOptions({ queryKey: recordKeys.organisations, queryFn: () => ok(client.GET('/api/record/organisations')) });
export const profileTypesQuery = () => queryOptions({ queryKey: recordKeys.profileTypes, queryFn: () => ok(client.GET('/api/record/profile-types')) });
export const fieldsQuery = () => queryOptions({ queryKey: recordKeys.fields, queryFn: () => ok(client.GET('/api/record/fields')) });

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

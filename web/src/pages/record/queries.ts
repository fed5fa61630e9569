import { queryOptions } from '@tanstack/react-query';
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

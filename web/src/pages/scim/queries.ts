import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { client, ok } from '../../api/client';

/** Query keys of the SCIM area: one per resource; a group's status and activity nest under it. */
export const scimKeys = {
  group: (groupId: string) => ['scim', 'groups', groupId] as const,
  activity: (groupId: string, before: string | undefined) => ['scim', 'groups', groupId, 'activity', before ?? null] as const,
  member: (memberId: string) => ['scim', 'members', memberId] as const,
};

export const scimGroupQuery = (groupId: string) =>
  queryOptions({ queryKey: scimKeys.group(groupId), queryFn: () => ok(client.GET('/api/scim/groups/{groupId}', { params: { path: { groupId } } })) });

/** One page (50 requests, and any more of the last one's millisecond) of a group's SCIM activity, older than `before`. */
export const scimActivityQuery = (groupId: string, before: string | undefined) =>
  queryOptions({
    queryKey: scimKeys.activity(groupId, before),
    queryFn: () => ok(client.GET('/api/scim/groups/{groupId}/activity', { params: { path: { groupId }, query: { limit: 50, before } } })),
    placeholderData: keepPreviousData,
  });

export const scimMemberQuery = (memberId: string) =>
  queryOptions({ queryKey: scimKeys.member(memberId), queryFn: () => ok(client.GET('/api/scim/members/{memberId}', { params: { path: { memberId } } })) });

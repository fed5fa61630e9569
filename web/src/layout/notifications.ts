import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, ok, type Answer } from '../api/client';

export type Notification = Answer<'/api/notifications'>['items'][number];

/** The signed-in user's notifications: one key for the bell, the overview and the Notifications page. */
export const notificationKeys = { all: ['notifications'] as const, list: (limit: number) => ['notifications', limit] as const };

/** The latest `limit` notifications and the unread count; polled once a minute (and on window focus). */
export const notificationsQuery = (limit = 50) =>
  queryOptions({
    queryKey: notificationKeys.list(limit),
    queryFn: () => ok(client.GET('/api/notifications', { params: { query: { limit } } })),
    refetchInterval: 60_000,
  });

export const notificationTitle = (n: Pick<Notification, 'title'>) => n.title || 'Notification';

/** Mark one read (`id`) or all read (no id); every notification list refreshes. */
export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id?: string): Promise<void> => {
      if (id) await ok(client.POST('/api/notifications/{id}/read', { params: { path: { id } } }));
      else await ok(client.POST('/api/notifications/read-all'));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

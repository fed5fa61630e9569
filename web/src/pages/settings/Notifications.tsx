import { Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, type Notification } from '../../api';
import { ErrorState, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { notificationTitle, type NotificationList } from '../../layout/NotificationBell';

export default function Notifications() {
  const list = useApi<NotificationList>('/api/notifications');
  const markRead = (n: Notification) => void api.post(`/api/notifications/${encodeURIComponent(n.id)}/read`).then(list.reload, list.reload);

  return (
    <>
      <PageHeader title="Notifications" description="Messages for you from Threshold. When email is set up, they are emailed too.">
        {list.data && list.data.unread > 0 ? (
          <Button variant="light" onClick={() => void api.post('/api/notifications/read-all').then(list.reload, list.reload)}>
            Mark all read
          </Button>
        ) : null}
      </PageHeader>
      {list.loading && !list.data ? <LoadingState /> : null}
      {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {list.data && list.data.items.length === 0 ? <Text c="dimmed">You have no notifications.</Text> : null}
      <Stack gap="xs">
        {list.data?.items.map((n) => (
          <Card key={n.id} withBorder padding="sm" bg={n.readAt ? undefined : 'indigo.0'} component="article" aria-label={notificationTitle(n)}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text fw={n.readAt ? 500 : 700}>{notificationTitle(n)}</Text>
                {n.body ? (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {n.body}
                  </Text>
                ) : null}
                <Text size="xs" c="dimmed">
                  {formatDateTime(n.createdAt)}
                  {n.link && n.link.startsWith('/') ? (
                    <>
                      {' · '}
                      <Link to={n.link} onClick={() => (n.readAt ? undefined : markRead(n))}>
                        Open
                      </Link>
                    </>
                  ) : null}
                </Text>
              </Stack>
              {n.readAt ? (
                <Badge color="gray" variant="light">
                  read
                </Badge>
              ) : (
                <Button size="compact-sm" variant="subtle" onClick={() => markRead(n)} aria-label={`Mark “${notificationTitle(n)}” read`}>
                  Mark read
                </Button>
              )}
            </Group>
          </Card>
        ))}
      </Stack>
    </>
  );
}

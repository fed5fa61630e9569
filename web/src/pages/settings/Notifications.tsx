import { Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AppLink, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { notificationTitle, notificationsQuery, useMarkRead } from '../../layout/notifications';
import { formatDateTime } from '../../format';

export default function Notifications() {
  const list = useQuery(notificationsQuery());
  const markRead = useMarkRead();

  return (
    <>
      <PageHeader title="Notifications" description="Messages for you from Threshold. When email is set up, they are emailed too.">
        {list.data && list.data.unread > 0 ? (
          <Button variant="light" loading={markRead.isPending && markRead.variables === undefined} onClick={() => markRead.mutate(undefined)}>
            Mark all read
          </Button>
        ) : null}
      </PageHeader>
      <QueryState query={list} empty="You have no notifications.">
        {(data) => (
          <Stack gap="xs">
            {data.items.map((n) => (
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
                          <AppLink to={n.link} size="xs" onClick={() => (n.readAt ? undefined : markRead.mutate(n.id))}>
                            Open
                          </AppLink>
                        </>
                      ) : null}
                    </Text>
                  </Stack>
                  {n.readAt ? (
                    <Badge color="gray" variant="light">
                      read
                    </Badge>
                  ) : (
                    <Button size="compact-sm" variant="subtle" onClick={() => markRead.mutate(n.id)} aria-label={`Mark “${notificationTitle(n)}” read`}>
                      Mark read
                    </Button>
                  )}
                </Group>
              </Card>
            ))}
          </Stack>
        )}
      </QueryState>
    </>
  );
}

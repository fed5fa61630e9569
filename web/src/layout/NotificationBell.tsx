import { ActionIcon, Anchor, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { IconBell } from '../components/icons';
import { notificationTitle, notificationsQuery, useMarkRead, type Notification } from './notifications';
import { formatDateTime } from '../format';

/** The header bell: unread count, the latest messages, mark read. Polls once a minute. */
export function NotificationBell() {
  const list = useQuery(notificationsQuery(10));
  const data = list.data;
  const markRead = useMarkRead();
  const [opened, setOpened] = useState(false);
  const navigate = useNavigate();

  const unread = data?.unread ?? 0;
  const open = async (n: Notification) => {
    if (!n.readAt) await markRead.mutateAsync(n.id).catch(() => undefined);
    setOpened(false);
    if (n.link && n.link.startsWith('/')) void navigate(n.link);
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={320} withArrow shadow="md" trapFocus>
      <Indicator label={unread > 99 ? '99+' : unread} size={18} color="red" disabled={unread === 0} offset={4}>
        {/* The popover's target is the button itself: aria-expanded and aria-controls belong on it, not on the badge wrapper. */}
        <Popover.Target>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            onClick={() => {
              if (!opened) void list.refetch();
              setOpened((o) => !o);
            }}
            aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
            aria-expanded={opened}
          >
            <IconBell />
          </ActionIcon>
        </Popover.Target>
      </Indicator>
      <Popover.Dropdown p="xs" aria-label="Notifications">
        <Group justify="space-between" mb="xs" px={4}>
          <Text fw={600} size="sm">
            Notifications
          </Text>
          {unread > 0 ? (
            <Button size="compact-xs" variant="subtle" onClick={() => markRead.mutate(undefined)}>
              Mark all read
            </Button>
          ) : null}
        </Group>
        <ScrollArea.Autosize mah={320}>
          {!data ? (
            <Text size="sm" c="dimmed" px={4}>
              Notifications could not be loaded.
            </Text>
          ) : data.items.length === 0 ? (
            <Text size="sm" c="dimmed" px={4}>
              Nothing new.
            </Text>
          ) : (
            <Stack gap={2}>
              {data.items.map((n) => (
                <UnstyledButton key={n.id} onClick={() => void open(n)} p={6} style={{ borderRadius: 6, background: n.readAt ? undefined : 'var(--mantine-color-indigo-0)' }}>
                  <Text size="sm" fw={n.readAt ? 400 : 600} lineClamp={2}>
                    {notificationTitle(n)}
                  </Text>
                  {n.body ? (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {n.body}
                    </Text>
                  ) : null}
                  <Text size="xs" c="dimmed">
                    {formatDateTime(n.createdAt)}
                    {n.readAt ? '' : ' · unread'}
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          )}
        </ScrollArea.Autosize>
        <Anchor component={Link} to="/settings/notifications" size="sm" display="block" mt="xs" px={4} onClick={() => setOpened(false)}>
          See all notifications
        </Anchor>
      </Popover.Dropdown>
    </Popover>
  );
}

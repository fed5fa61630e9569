import { ActionIcon, Anchor, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type Notification } from '../api';
import { IconBell } from '../components/icons';
import { formatDateTime } from '../components/common';

export type NotificationList = { items: Notification[]; unread: number };

export const notificationTitle = (n: Notification) => n.title || 'Notification';

/** The header bell: unread count, the latest messages, mark read. Polls once a minute. */
export function NotificationBell() {
  const [data, setData] = useState<NotificationList | null>(null);
  const [opened, setOpened] = useState(false);
  const navigate = useNavigate();

  const load = useCallback(() => {
    api
      .get<NotificationList>('/api/notifications?limit=10')
      .then(setData)
      .catch(() => setData(null));
  }, []);

  useEffect(() => {
    load();
    const timer = window.setInterval(load, 60_000);
    const onFocus = () => load();
    window.addEventListener('focus', onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [load]);

  const unread = data?.unread ?? 0;
  const open = async (n: Notification) => {
    if (!n.readAt) await api.post(`/api/notifications/${encodeURIComponent(n.id)}/read`).catch(() => undefined);
    setOpened(false);
    load();
    if (n.link && n.link.startsWith('/')) navigate(n.link);
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={320} withArrow shadow="md" trapFocus>
      <Popover.Target>
        <Indicator label={unread > 99 ? '99+' : unread} size={18} color="red" disabled={unread === 0} offset={4}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            onClick={() => {
              if (!opened) load();
              setOpened((o) => !o);
            }}
            aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
            aria-expanded={opened}
          >
            <IconBell />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs" aria-label="Notifications">
        <Group justify="space-between" mb="xs" px={4}>
          <Text fw={600} size="sm">
            Notifications
          </Text>
          {unread > 0 ? (
            <Button size="compact-xs" variant="subtle" onClick={() => void api.post('/api/notifications/read-all').then(load, load)}>
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

import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { client, ok } from '../../api/client';
import { AppLink, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { notificationsQuery } from '../../layout/notifications';
import { userCan, useMe } from '../../session';
import { overviewQuery } from './queries';
import { formatDateTime } from '../../format';

const recordDashboardQuery = () => queryOptions({ queryKey: ['record', 'dashboard', 'trust'] as const, queryFn: () => ok(client.GET('/api/record/dashboard')) });

/** The Sign-in area's landing page: who is on site, today, kiosks, expiring checks and alerts, each linking on. */
export default function Overview() {
  const me = useMe();
  const overview = useQuery(overviewQuery());
  // A user limited to sites alone reaches no organisation: the record has nothing to show them.
  const canRecord = userCan(me.user, 'record.read') && me.user.reach.organisations !== 'none';
  const record = useQuery({ ...recordDashboardQuery(), enabled: canRecord });
  const alerts = useQuery(notificationsQuery(10));
  return (
    <>
      <PageHeader title="Sign-in overview" description="Who is on site now and how today is going, across your sites." />
      <QueryState query={overview}>
        {(o) => (
          <Stack gap="lg">
            {o.openRollCalls.map((rc) => (
              <Alert key={rc.id} color="red" role="status" title={`Fire roll call open at ${rc.siteName}`}>
                Started {formatDateTime(rc.startedAt, rc.timezone)}. <AppLink to={`/signin/roll-calls/${rc.id}`}>Open the roll call</AppLink>
              </Alert>
            ))}
            <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
              <Stat label="On site now" value={o.totals.onSite} link={<AppLink to={onSiteLink(o.sites.find((s) => s.onSite > 0)?.id)}>See who</AppLink>} />
              <Stat label="Signed in today" value={o.totals.signedInToday} link={<AppLink to={`/signin/visits?outcome=signed_in&from=${localToday()}`}>See sign-ins</AppLink>} />
              <Stat
                label="Rejected today"
                value={o.totals.rejectedToday}
                tone={o.totals.rejectedToday > 0 ? 'red' : undefined}
                link={<AppLink to={`/signin/visits?outcome=rejected&from=${localToday()}`}>See rejections</AppLink>}
              />
              <Stat
                label="Kiosks online"
                value={`${o.totals.kiosksOnline} of ${o.totals.kiosks}`}
                tone={o.totals.kiosksOnline < o.totals.kiosks ? 'orange' : undefined}
                link={<AppLink to="/signin/sites">Sites and kiosks</AppLink>}
              />
            </SimpleGrid>
            {o.sites.length === 0 ? (
              <Text c="dimmed">
                No sites yet. <AppLink to="/signin/sites">Add a site</AppLink> and pair a kiosk to start signing people in.
              </Text>
            ) : (
              <Card withBorder component="section" aria-labelledby="per-site">
                <Title order={2} size="h4" id="per-site" mb="sm">
                  By site
                </Title>
                <Table.ScrollContainer minWidth={480}>
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Site</Table.Th>
                        <Table.Th>On site</Table.Th>
                        <Table.Th>Signed in today</Table.Th>
                        <Table.Th>Rejected today</Table.Th>
                        <Table.Th>Kiosks online</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {o.sites.map((s) => (
                        <Table.Tr key={s.id}>
                          <Table.Td>
                            <AppLink to={onSiteLink(s.id)}>{s.name}</AppLink>
                          </Table.Td>
                          <Table.Td>{s.onSite}</Table.Td>
                          <Table.Td>{s.signedInToday}</Table.Td>
                          <Table.Td>{s.rejectedToday}</Table.Td>
                          <Table.Td>
                            {s.kiosks.total === 0 ? (
                              <Text span size="sm" c="dimmed">
                                none paired: <AppLink to="/signin/sites">pair a kiosk</AppLink>
                              </Text>
                            ) : (
                              `${s.kiosks.online} of ${s.kiosks.total}`
                            )}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </Card>
            )}
          </Stack>
        )}
      </QueryState>
      <SimpleGrid cols={{ base: 1, md: 2 }} mt="lg">
        {canRecord && record.data && record.data.profiles > 0 ? (
          <Card withBorder component="section" aria-labelledby="expiring">
            <Title order={2} size="h4" id="expiring" mb="xs">
              Checks expiring
            </Title>
            <Group gap="xs" mb="xs">
              <Badge color={record.data.expiring.within30 > 0 ? 'orange' : 'gray'}>{record.data.expiring.within30} within 30 days</Badge>
              <Badge color="gray">{record.data.expiring.within90} within 90 days</Badge>
            </Group>
            <Stack gap={4}>
              {record.data.expiring.items.slice(0, 5).map((e) => (
                <Text key={`${e.profileId}-${e.check}`} size="sm">
                  <AppLink to={`/record/profiles/${e.profileId}`}>{e.name}</AppLink>: {e.check}, in {e.inDays} days
                </Text>
              ))}
            </Stack>
            <AppLink to="/record" size="sm">
              Central Record dashboard
            </AppLink>
          </Card>
        ) : null}
        <Card withBorder component="section" aria-labelledby="alerts">
          <Title order={2} size="h4" id="alerts" mb="xs">
            Alerts
          </Title>
          <QueryState query={alerts}>
            {(a) => (
              <Stack gap={4}>
                <Text size="sm">{a.unread === 0 ? 'No unread alerts.' : `${a.unread} unread`}</Text>
                {a.items
                  .filter((n) => !n.readAt)
                  .slice(0, 5)
                  .map((n) => (
                    <Text key={n.id} size="sm">
                      {n.link ? <AppLink to={n.link}>{n.title}</AppLink> : n.title}
                    </Text>
                  ))}
                <AppLink to="/settings/notifications" size="sm">
                  All notifications
                </AppLink>
              </Stack>
            )}
          </QueryState>
        </Card>
      </SimpleGrid>
    </>
  );
}

function Stat({ label, value, link, tone }: { label: string; value: ReactNode; link: ReactNode; tone?: string }) {
  return (
    <Card withBorder component="section" aria-label={label}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={32} fw={700} c={tone ? `${tone}.9` : undefined} data-testid={`stat-${label}`}>
        {value}
      </Text>
      <Text size="sm">{link}</Text>
    </Card>
  );
}

/** Today in the browser's time zone, as YYYY-MM-DD. */
function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Who is on site at one site (the first when none is given). */
function onSiteLink(siteId: string | undefined): string {
  return siteId ? `/signin/on-site?site=${encodeURIComponent(siteId)}` : '/signin/on-site';
}

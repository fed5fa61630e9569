import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AppLink, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useMe } from '../../session';
import { groupsQuery } from '../signin/queries';
import { KIND_LABELS } from './integrationApi';
import { integrationSettingsQuery, linksQuery, runsQuery } from './queries';
import { formatDateTime } from '../../format';

/** Sign-in ↔ Central Record: the tenant setting, which groups are linked, recent runs. */
export default function Overview() {
  const settings = useQuery(integrationSettingsQuery());
  const links = useQuery(linksQuery());
  const groups = useQuery(groupsQuery());
  const runs = useQuery(runsQuery());
  const noSites = useMe().user.reach.sites === 'none';
  return (
    <>
      <PageHeader title="Integrations" description="Link sign-in groups to Central Record organisations, map members to profile types, import, merge duplicates, push, and keep both sides in sync." />
      <QueryState query={settings}>
        {(setting) => (
      <Stack gap="lg">
        <Card withBorder>
          <Text size="sm">
            The Central Record&apos;s criteria are {setting.includeRecordInSafetyCheck ? <b>included in</b> : <b>not included in</b>} the safety check.{' '}
            <AppLink to="/signin/safety">Change it with the safety check settings</AppLink>
          </Text>
        </Card>
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          {[
            ['type-map', 'Profile type map'],
            ['import', 'Import'],
            ['merge', 'Duplicates'],
            ['push', 'Push'],
          ].map(([to, label]) => (
            <Anchor key={to} component={Link} to={`/integrations/${to}`}>
              {label}
            </Anchor>
          ))}
        </SimpleGrid>
        <div>
          <Title order={2} size="h4" mb="xs">
            Groups
          </Title>
          {noSites ? (
            <Text c="dimmed" size="sm" data-testid="no-sites-reached">
              Your account is limited to some organisations and reaches no site, so no sign-in group is listed here.
            </Text>
          ) : null}
          <QueryState query={links}>
            {(linkList) => (
              <QueryState query={groups}>
                {(groupList) => {
                  const linked = new Map(linkList.items.map((l) => [l.groupId, l]));
                  return (
          <Table.ScrollContainer minWidth={520}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Linked to</Table.Th>
                <Table.Th>Rating systems</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groupList.items
                .filter((g) => !g.archived)
                .map((g) => {
                  const l = linked.get(g.id);
                  return (
                    <Table.Tr key={g.id}>
                      <Table.Td>
                        <AppLink to={`/integrations/groups/${g.id}`}>{g.name}</AppLink>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={g.type === 'standard' ? 'gray' : g.type === 'scim' ? 'violet' : 'blue'}>
                          {g.type}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{l ? (l.organisationName ?? <Text c="dimmed">an organisation your account does not reach</Text>) : g.type === 'standard' ? <Text c="dimmed">cannot be linked</Text> : <Text c="dimmed">not linked</Text>}</Table.Td>
                      <Table.Td>{l ? (l.ratingMode === 'selected' ? `${l.ratingSystemIds.length} selected` : l.ratingMode) : ''}</Table.Td>
                    </Table.Tr>
                  );
                })}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
                  );
                }}
              </QueryState>
            )}
          </QueryState>
        </div>
        <div>
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4">
              Recent runs
            </Title>
          </Group>
          <QueryState query={runs} empty="Nothing has run yet.">
            {(runList) => (
            <Table.ScrollContainer minWidth={720}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Progress</Table.Th>
                  <Table.Th>Started by</Table.Th>
                  <Table.Th>When</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {runList.items.slice(0, 15).map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>{KIND_LABELS[r.kind]}</Table.Td>
                    <Table.Td>
                      <Badge color={r.status === 'failed' ? 'red' : r.status === 'done' ? 'green' : 'blue'}>{r.status}</Badge>
                    </Table.Td>
                    <Table.Td>
                      {r.done}/{r.total} (created {r.created}, updated {r.updated}, skipped {r.skipped}, failed {r.failed})
                    </Table.Td>
                    <Table.Td>{r.createdBy}</Table.Td>
                    <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            </Table.ScrollContainer>
            )}
          </QueryState>
        </div>
      </Stack>
        )}
      </QueryState>
    </>
  );
}

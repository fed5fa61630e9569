import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorState, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { KIND_LABELS, type GroupLink, type Run, type Settings } from './integrationApi';

type Group = { id: string; name: string; type: 'standard' | 'repeat' | 'scim'; archived: boolean };

/** Sign-in ↔ Central Record: the tenant setting, which groups are linked, recent runs. */
export default function Overview() {
  const settings = useApi<Settings>('/api/integration/settings');
  const links = useApi<{ items: GroupLink[] }>('/api/integration/links');
  const groups = useApi<{ items: Group[] }>('/api/signin/groups');
  const runs = useApi<{ items: Run[] }>('/api/integration/runs');
  if ((settings.loading && !settings.data) || (links.loading && !links.data)) return <LoadingState />;
  if (settings.error || links.error) return <ErrorState error={settings.error ?? links.error} onRetry={() => (settings.reload(), links.reload())} />;
  const linked = new Map((links.data?.items ?? []).map((l) => [l.groupId, l]));
  return (
    <>
      <PageHeader title="Integrations" description="Link sign-in groups to Central Record organisations, map members to profile types, import, merge duplicates, push, and keep both sides in sync." />
      <Stack gap="lg">
        <Card withBorder>
          <Text size="sm">
            The Central Record&apos;s criteria are {settings.data?.includeRecordInSafetyCheck ? <b>included in</b> : <b>not included in</b>} the safety check.{' '}
            <Anchor component={Link} to="/signin/safety">
              Change it with the safety check settings
            </Anchor>
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
              {(groups.data?.items ?? [])
                .filter((g) => !g.archived)
                .map((g) => {
                  const l = linked.get(g.id);
                  return (
                    <Table.Tr key={g.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/integrations/groups/${g.id}`}>
                          {g.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={g.type === 'standard' ? 'gray' : g.type === 'scim' ? 'violet' : 'blue'}>
                          {g.type}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{l ? l.organisationName : g.type === 'standard' ? <Text c="dimmed">cannot be linked</Text> : <Text c="dimmed">not linked</Text>}</Table.Td>
                      <Table.Td>{l ? (l.ratingMode === 'selected' ? `${l.ratingSystemIds.length} selected` : l.ratingMode) : ''}</Table.Td>
                    </Table.Tr>
                  );
                })}
            </Table.Tbody>
          </Table>
        </div>
        <div>
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4">
              Recent runs
            </Title>
          </Group>
          {(runs.data?.items ?? []).length === 0 ? (
            <Text c="dimmed">Nothing has run yet.</Text>
          ) : (
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
                {(runs.data?.items ?? []).slice(0, 15).map((r) => (
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
          )}
        </div>
      </Stack>
    </>
  );
}

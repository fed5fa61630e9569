import { Anchor, Badge, Card, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorState, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';

type GroupRow = { id: string; name: string; type: string; archivedAt?: string | null };

/** The SCIM groups of the tenant, each linking to its SCIM tab. */
export default function Overview() {
  const groups = useApi<{ items: GroupRow[] }>('/api/signin/groups');
  const scim = groups.data?.items.filter((g) => g.type === 'scim') ?? [];
  return (
    <>
      <PageHeader
        title="SCIM provisioning"
        description="A SCIM group's members are created, updated, deactivated and removed by your identity provider (Okta, Microsoft Entra ID). Create a group of type SCIM under Sign-in › Groups, then open it here to copy its SCIM URL and generate its token."
      />
      <Card withBorder padding="lg">
        <Stack gap="sm">
          {groups.loading && !groups.data ? <LoadingState /> : null}
          {groups.error ? <ErrorState error={groups.error} onRetry={groups.reload} /> : null}
          {groups.data && scim.length === 0 ? <Text c="dimmed">No SCIM groups yet.</Text> : null}
          {scim.length > 0 ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Group</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {scim.map((g) => (
                  <Table.Tr key={g.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/scim/groups/${g.id}`}>
                        {g.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{g.archivedAt ? <Badge color="gray">Archived</Badge> : <Badge color="teal">Active</Badge>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Stack>
      </Card>
    </>
  );
}

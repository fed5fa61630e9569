import { Badge, Card, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AppLink, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { groupsQuery } from '../signin/queries';

/** The SCIM groups of the tenant, each linking to its SCIM tab. */
export default function Overview() {
  const groups = useQuery({ ...groupsQuery(), select: (d) => d.items.filter((g) => g.type === 'scim') });
  return (
    <>
      <PageHeader
        title="SCIM provisioning"
        description="A SCIM group's members are created, updated, deactivated and removed by your identity provider (Okta, Microsoft Entra ID). Create a group of type SCIM under Sign-in › Groups, then open it here to copy its SCIM URL and generate its token."
      />
      <Card withBorder padding="lg">
        <QueryState query={groups} empty="No SCIM groups yet.">
          {(scim) => (
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
                      <AppLink to={`/scim/groups/${g.id}`}>{g.name}</AppLink>
                    </Table.Td>
                    <Table.Td>{g.archived ? <Badge color="gray">Archived</Badge> : <Badge color="teal">Active</Badge>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}

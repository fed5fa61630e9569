import { Button, Stack, Table } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, ok } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import type { Exclusion } from './integrationApi';
import { exclusionsQuery, integrationKeys } from './queries';
import { formatDateTime } from '../../format';

const name = (e: Exclusion) => [e.profile.firstName, e.profile.lastName].filter((x) => typeof x === 'string' && x).join(' ') || e.memberId.slice(0, 8);

/** Members whose linked profile was deleted: the import does not recreate them until the exclusion is undone. */
export default function Exclusions() {
  const list = useQuery(exclusionsQuery());
  const queryClient = useQueryClient();
  const undo = useMutation({
    mutationFn: (id: string) => ok(client.DELETE('/api/integration/exclusions/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: integrationKeys.exclusions }),
  });
  return (
    <>
      <PageHeader title="Exclusion list" description="When a linked profile is deleted, its member goes here so the next import does not recreate the profile. Undo lets the import create it again." />
      <Stack>
        <FormError error={undo.error} />
        <QueryState query={list} empty="Nobody is excluded.">
          {(data) => (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Person</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{name(e)}</Table.Td>
                    <Table.Td>{e.reason}</Table.Td>
                    <Table.Td>{e.createdBy}</Table.Td>
                    <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="light" aria-label={`Undo exclusion of ${name(e)}`} loading={undo.isPending && undo.variables === e.id} onClick={() => undo.mutate(e.id)}>
                        Undo
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Stack>
    </>
  );
}

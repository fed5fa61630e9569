import { Button, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import type { Exclusion } from './integrationApi';

/** Members whose linked profile was deleted: the import does not recreate them until the exclusion is undone. */
export default function Exclusions() {
  const list = useApi<{ items: Exclusion[] }>('/api/integration/exclusions');
  const [error, setError] = useState<unknown>(null);
  if (list.loading && !list.data) return <LoadingState />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const undo = async (id: string) => {
    setError(null);
    try {
      await api.del(`/api/integration/exclusions/${id}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const name = (e: Exclusion) => [e.profile.firstName, e.profile.lastName].filter((x) => typeof x === 'string' && x).join(' ') || e.memberId.slice(0, 8);
  return (
    <>
      <PageHeader title="Exclusion list" description="When a linked profile is deleted, its member goes here so the next import does not recreate the profile. Undo lets the import create it again." />
      <Stack>
        <FormError error={error} />
        {list.data!.items.length === 0 ? (
          <Text c="dimmed">Nobody is excluded.</Text>
        ) : (
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
              {list.data!.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{name(e)}</Table.Td>
                  <Table.Td>{e.reason}</Table.Td>
                  <Table.Td>{e.createdBy}</Table.Td>
                  <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="light" aria-label={`Undo exclusion of ${name(e)}`} onClick={() => void undo(e.id)}>
                      Undo
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </>
  );
}

import { Alert, Badge, List, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { AppLink, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { recordKeys } from '../record/queries';
import { integrationKeys, mergesQuery } from './queries';
import { formatDateTime } from '../../format';

type Undo = Answer<'/api/integration/merges/{id}/undo', 'post'>;

/** Merge history: every merge with Undo. Undo restores both profiles and lists the edits made since. */
export default function Merges() {
  const merges = useQuery({ ...mergesQuery(), select: (d) => [...d.items].reverse() });
  const queryClient = useQueryClient();
  const [undone, setUndone] = useState<Undo | null>(null);
  const undo = useMutation({
    mutationFn: (id: string) => ok(client.POST('/api/integration/merges/{id}/undo', { params: { path: { id } } })),
    onSuccess: (res) => {
      setUndone(res);
      // Both profiles are back, and the pair may be queued again.
      return Promise.all([integrationKeys.merges, integrationKeys.mergeQueue, recordKeys.profiles].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
  return (
    <>
      <PageHeader title="Merge history" description="Undo restores both profiles, their links and checks; edits made since the merge stay on the profile they were made to.">
        <AppLink to="/integrations/merge">Duplicates</AppLink>
      </PageHeader>
      <Stack>
        {undone ? (
          <Alert color="green" role="status" title="Merge undone">
            {undone.editsSince.length === 0 ? (
              <Text size="sm">Both profiles are back as they were; nothing was edited since the merge.</Text>
            ) : (
              <>
                <Text size="sm">Both profiles are back. Edits made since the merge:</Text>
                <List size="sm">
                  {undone.editsSince.map((e, i) => (
                    <List.Item key={i}>
                      {e.field}: {e.note}
                    </List.Item>
                  ))}
                </List>
              </>
            )}
          </Alert>
        ) : null}
        <QueryState query={merges} empty="No merges yet.">
          {(items) => (
          <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kept</Table.Th>
                <Table.Th>Merged in</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <AppLink to={`/record/profiles/${m.keptProfileId}`}>{m.keptName || m.keptProfileId.slice(0, 8)}</AppLink>
                  </Table.Td>
                  <Table.Td>{m.mergedName || m.mergedProfileId.slice(0, 8)}</Table.Td>
                  <Table.Td>{m.mergedBy}</Table.Td>
                  <Table.Td>{formatDateTime(m.mergedAt)}</Table.Td>
                  <Table.Td>
                    {m.undoneAt ? (
                      <Badge color="gray">undone {formatDateTime(m.undoneAt)}</Badge>
                    ) : (
                      <ConfirmButton
                        size="xs"
                        variant="light"
                        aria-label={`Undo merge of ${m.keptName ?? ''}`}
                        confirmLabel="Undo merge"
                        title="Undo this merge?"
                        message="Both profiles come back with their own values, links and checks."
                        onConfirm={() => undo.mutateAsync(m.id)}
                      >
                        Undo
                      </ConfirmButton>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
          )}
        </QueryState>
      </Stack>
    </>
  );
}

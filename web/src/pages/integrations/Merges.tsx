import { Alert, Anchor, Badge, List, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import type { Merge, Undo } from './integrationApi';

/** Merge history: every merge with Undo. Undo restores both profiles and lists the edits made since. */
export default function Merges() {
  const merges = useApi<{ items: Merge[] }>('/api/integration/merges');
  const [undone, setUndone] = useState<Undo | null>(null);
  if (merges.loading && !merges.data) return <LoadingState />;
  if (merges.error) return <ErrorState error={merges.error} onRetry={merges.reload} />;
  const items = [...merges.data!.items].reverse();
  return (
    <>
      <PageHeader title="Merge history" description="Undo restores both profiles, their links and checks; edits made since the merge stay on the profile they were made to.">
        <Anchor component={Link} to="/integrations/merge">
          Duplicates
        </Anchor>
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
        {items.length === 0 ? (
          <Text c="dimmed">No merges yet.</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kept</Table.Th>
                <Table.Th>Merged in</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/record/profiles/${m.keptProfileId}`}>
                      {m.keptName || m.keptProfileId.slice(0, 8)}
                    </Anchor>
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
                        onConfirm={async () => {
                          setUndone(await api.post<Undo>(`/api/integration/merges/${m.id}/undo`, {}));
                          merges.reload();
                        }}
                      >
                        Undo
                      </ConfirmButton>
                    )}
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

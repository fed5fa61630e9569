import { Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { QueryState } from '../../components/QueryState';
import { recordKeys, retentionQuery } from './queries';
import { formatDate } from '../../format';

type Due = Answer<'/api/record/retention'>['items'][number];

/** Archived leavers whose retention period has ended: nothing is deleted until an administrator approves it. */
export function SetupRetention() {
  const list = useQuery(retentionQuery());
  return (
    <Stack>
      <Text size="sm">Archived leavers whose retention period has ended. Nothing is deleted until you approve it.</Text>
      <QueryState query={list} empty="No deletions are due.">
        {(data) => (
          <Table aria-label="Deletions due">
            <Table.Tbody>
              {data.items.map((r) => (
                <DueRow key={r.id} r={r} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Stack>
  );
}

function DueRow({ r }: { r: Due }) {
  const queryClient = useQueryClient();
  const approve = useMutation({
    mutationFn: () => ok(client.POST('/api/record/retention/{id}/approve', { params: { path: { id: r.id } } })),
    // The profile is gone: from this list, every profile list and the dashboard.
    onSuccess: () => Promise.all([recordKeys.retention, recordKeys.profiles, ['record', 'dashboard']].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
  return (
    <Table.Tr>
      <Table.Td>{r.name}</Table.Td>
      <Table.Td>{r.organisation}</Table.Td>
      <Table.Td>left {formatDate(r.leavingDate)}</Table.Td>
      <Table.Td>due {formatDate(r.dueOn)}</Table.Td>
      <Table.Td>
        <ConfirmButton size="xs" color="red" title={`Delete ${r.name}`} message="The profile, its checks, documents and history are deleted for good." confirmLabel="Approve deletion" onConfirm={() => approve.mutateAsync()}>
          Approve deletion
        </ConfirmButton>
      </Table.Td>
    </Table.Tr>
  );
}

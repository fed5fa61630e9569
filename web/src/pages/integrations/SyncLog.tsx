import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, query } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import type { Run, SyncLogEntry } from './integrationApi';

const DIRECTIONS: Record<string, string> = { member_to_profile: 'sign-in → record', profile_to_member: 'record → sign-in', wonde_to_profile: 'Wonde → record', wonde_run: 'Wonde run' };

/** The sync log: what the two-way sync and the Wonde sync changed, per person or per run. */
export function SyncLogTable({ items }: { items: SyncLogEntry[] }) {
  if (items.length === 0) return <Text c="dimmed">Nothing logged yet.</Text>;
  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Direction</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Fields</Table.Th>
          <Table.Th>Note</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...items].reverse().map((l) => (
          <Table.Tr key={l.id}>
            <Table.Td>{formatDateTime(l.at)}</Table.Td>
            <Table.Td>{DIRECTIONS[l.direction] ?? l.direction}</Table.Td>
            <Table.Td>
              <Badge color={l.status === 'error' ? 'red' : l.status === 'refused' ? 'orange' : 'green'} variant="light">
                {l.status}
              </Badge>
            </Table.Td>
            <Table.Td>{l.fields.join(', ')}</Table.Td>
            <Table.Td>{l.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export default function SyncLog() {
  const [personId, setPersonId] = useState('');
  const id = /^[0-9a-f-]{36}$/i.test(personId.trim()) ? personId.trim() : '';
  const log = useApi<{ items: SyncLogEntry[] }>(`/api/integration/sync-log${id ? query({ profileId: id }) : ''}`);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const syncNow = async () => {
    setError(null);
    try {
      setRun(await api.post<Run>('/api/integration/sync', {}));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title="Sync log" description="Changes on either side are synced automatically through the job queue (and a sweep every 10 minutes catches anything missed). For SCIM groups the identity provider is the source.">
        <Button variant="light" onClick={() => void syncNow()}>
          Sync everyone now
        </Button>
      </PageHeader>
      <Stack>
        <FormError error={error} />
        {run ? <RunProgress run={run} onFinished={log.reload} /> : null}
        <Group>
          <TextInput label="Profile id" placeholder="Only this person" value={personId} onChange={(e) => setPersonId(e.currentTarget.value)} w={360} />
        </Group>
        {log.loading && !log.data ? <LoadingState /> : log.error ? <ErrorState error={log.error} onRetry={log.reload} /> : <SyncLogTable items={log.data!.items} />}
      </Stack>
    </>
  );
}

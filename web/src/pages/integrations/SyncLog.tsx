import { Badge, Button, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok } from '../../api/client';
import { AppLink, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { RunProgress } from './RunProgress';
import type { Run, SyncLogEntry } from './integrationApi';
import { integrationKeys, syncLogQuery, type SyncLogFilter } from './queries';
import { formatDateTime } from '../../format';

const DIRECTIONS: Record<string, string> = { member_to_profile: 'sign-in → record', profile_to_member: 'record → sign-in', wonde_to_profile: 'Wonde → record', wonde_run: 'Wonde run' };

/** Who an entry is about, linked to their Central Record profile when they have one. */
function Person({ entry }: { entry: SyncLogEntry }) {
  if (!entry.personName) return <Text c="dimmed">—</Text>;
  return entry.profileId ? <AppLink to={`/record/profiles/${entry.profileId}`}>{entry.personName}</AppLink> : <>{entry.personName}</>;
}

/** The sync log: what the two-way sync and the Wonde sync changed, per person or per run. */
export function SyncLogTable({ items }: { items: SyncLogEntry[] }) {
  if (items.length === 0) return <Text c="dimmed">Nothing logged yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Sync log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Person</Table.Th>
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
              <Table.Td>
                <Person entry={l} />
              </Table.Td>
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
    </Table.ScrollContainer>
  );
}

/** The people in the latest log, by name, for the filter (`profile:<id>` or `member:<id>`). */
export function peopleOf(items: SyncLogEntry[]): Array<{ value: string; label: string }> {
  const people = new Map<string, string>();
  for (const l of items) {
    if (!l.personName) continue;
    const value = l.profileId ? `profile:${l.profileId}` : l.memberId ? `member:${l.memberId}` : null;
    if (value) people.set(value, l.personName);
  }
  return [...people].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
}

function filterOf(person: string | null): SyncLogFilter {
  if (person?.startsWith('profile:')) return { profileId: person.slice('profile:'.length) };
  if (person?.startsWith('member:')) return { memberId: person.slice('member:'.length) };
  return {};
}

export default function SyncLog() {
  const queryClient = useQueryClient();
  const [person, setPerson] = useState<string | null>(null);
  const everyone = useQuery(syncLogQuery());
  const log = useQuery(syncLogQuery(filterOf(person)));
  const [run, setRun] = useState<Run | null>(null);
  const syncNow = useMutation({ mutationFn: () => ok(client.POST('/api/integration/sync')), onSuccess: setRun });
  const refresh = () => queryClient.invalidateQueries({ queryKey: integrationKeys.syncLog });
  return (
    <>
      <PageHeader title="Sync log" description="Changes on either side are synced automatically through the job queue (and a sweep every 10 minutes catches anything missed). For SCIM groups the identity provider is the source.">
        <Button variant="light" loading={syncNow.isPending} onClick={() => syncNow.mutate()}>
          Sync everyone now
        </Button>
      </PageHeader>
      <Stack>
        <FormError error={syncNow.error} />
        {run ? <RunProgress run={run} onFinished={() => void refresh()} /> : null}
        <Select
          label="Person"
          placeholder="Everyone"
          searchable
          clearable
          nothingFoundMessage="Nobody by that name in the log"
          data={everyone.data ? peopleOf(everyone.data.items) : []}
          value={person}
          onChange={setPerson}
          w={360}
          maw="100%"
        />
        <QueryState query={log}>{(data) => <SyncLogTable items={data.items} />}</QueryState>
      </Stack>
    </>
  );
}

import { Alert, Button, Card, Checkbox, Group, MultiSelect, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { api, query } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import type { GroupLink, Run } from './integrationApi';

type ProfileType = { id: string; name: string };
type Profile = { id: string; firstName: string; lastName: string; role: string; profileTypeId: string; profileType: string };

/** Push (record → sign-in): profiles of the linked organisation become members of a linked group; linked ones are updated. */
export default function Push() {
  const links = useApi<{ items: GroupLink[] }>('/api/integration/links');
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const [groupId, setGroupId] = useState<string | null>(null);
  const [typeIds, setTypeIds] = useState<string[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const link = links.data?.items.find((l) => l.groupId === groupId);
  const profiles = useApi<{ total: number; items: Profile[] }>(link ? `/api/record/profiles${query({ organisationId: link.organisationId, limit: 500 })}` : null);
  if (links.loading && !links.data) return <LoadingState />;
  if (links.error) return <ErrorState error={links.error} onRetry={links.reload} />;
  const targets = links.data!.items.filter((l) => l.groupType !== 'scim');
  const shown = (profiles.data?.items ?? []).filter((p) => typeIds.length === 0 || typeIds.includes(p.profileTypeId));
  const push = async (only: string[] | undefined) => {
    setError(null);
    try {
      setRun(await api.post<Run>('/api/integration/push', { groupId, profileTypeIds: typeIds.length ? typeIds : undefined, profileIds: only }));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title="Push into sign-in" description="Profiles of the group's organisation become members of the group. Profiles already linked are updated, never duplicated. SCIM groups cannot be pushed into: their members belong to the identity provider." />
      <Stack>
        <Card withBorder>
          <Group align="flex-end">
            <Select label="Linked group" placeholder="Choose a group" data={targets.map((l) => ({ value: l.groupId, label: `${l.groupName} (${l.organisationName})` }))} value={groupId} onChange={(v) => (setGroupId(v), setSelected([]))} w={320} />
            <MultiSelect label="Profile types" placeholder="All types" data={(types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))} value={typeIds} onChange={setTypeIds} w={320} clearable />
          </Group>
          {links.data!.items.some((l) => l.groupType === 'scim') ? (
            <Text size="xs" c="dimmed" mt="xs">
              SCIM groups are not listed: their members come from the identity provider.
            </Text>
          ) : null}
        </Card>
        <FormError error={error} />
        {run ? <RunProgress run={run} /> : null}
        {link ? (
          <>
            <Group>
              <Button onClick={() => void push(undefined)} disabled={shown.length === 0}>
                Push all {shown.length}
              </Button>
              <Button variant="light" onClick={() => void push(selected)} disabled={selected.length === 0}>
                Push {selected.length} selected
              </Button>
            </Group>
            {profiles.loading && !profiles.data ? (
              <LoadingState />
            ) : shown.length === 0 ? (
              <Alert color="gray">No profiles of these types in {link.organisationName}.</Alert>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>
                      <Checkbox aria-label="Select all" checked={selected.length === shown.length} onChange={(e) => setSelected(e.currentTarget.checked ? shown.map((p) => p.id) : [])} />
                    </Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Role</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((p) => (
                    <Table.Tr key={p.id}>
                      <Table.Td>
                        <Checkbox aria-label={`Select ${p.firstName} ${p.lastName}`} checked={selected.includes(p.id)} onChange={(e) => setSelected(e.currentTarget.checked ? [...selected, p.id] : selected.filter((x) => x !== p.id))} />
                      </Table.Td>
                      <Table.Td>
                        {p.firstName} {p.lastName}
                      </Table.Td>
                      <Table.Td>{p.profileType}</Table.Td>
                      <Table.Td>{p.role}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </>
        ) : null}
      </Stack>
    </>
  );
}

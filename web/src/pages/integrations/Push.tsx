import { Alert, Button, Card, Checkbox, Group, MultiSelect, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok } from '../../api/client';
import { FormError, LoadingState, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { profileTypesQuery, recordKeys } from '../record/queries';
import { RunProgress } from './RunProgress';
import type { GroupLink, Run } from './integrationApi';
import { linksQuery } from './queries';

/** Push (record → sign-in): profiles of the linked organisation become members of a linked group; linked ones are updated. */
export default function Push() {
  const links = useQuery(linksQuery());
  return <QueryState query={links}>{(data) => <PushForm links={data.items} />}</QueryState>;
}

function PushForm({ links }: { links: GroupLink[] }) {
  const types = useQuery(profileTypesQuery());
  const [groupId, setGroupId] = useState<string | null>(null);
  const [typeIds, setTypeIds] = useState<string[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [run, setRun] = useState<Run | null>(null);
  const link = links.find((l) => l.groupId === groupId);
  const organisationId = link?.organisationId;
  const profiles = useQuery({
    queryKey: [...recordKeys.profiles, { organisationId, limit: 500 }],
    queryFn: () => ok(client.GET('/api/record/profiles', { params: { query: { organisationId, limit: 500 } } })),
    enabled: organisationId !== undefined,
  });
  const targets = links.filter((l) => l.groupType !== 'scim');
  const shown = (profiles.data?.items ?? []).filter((p) => typeIds.length === 0 || typeIds.includes(p.profileTypeId));
  const push = useMutation({
    mutationFn: (only: string[] | undefined) =>
      ok(client.POST('/api/integration/push', { body: { groupId: groupId ?? '', profileTypeIds: typeIds.length ? typeIds : undefined, profileIds: only } })),
    onSuccess: setRun,
  });
  return (
    <>
      <PageHeader title="Push into sign-in" description="Profiles of the group's organisation become members of the group. Profiles already linked are updated, never duplicated. SCIM groups cannot be pushed into: their members belong to the identity provider." />
      <Stack>
        <Card withBorder>
          <Group align="flex-end">
            <Select label="Linked group" placeholder="Choose a group" data={targets.map((l) => ({ value: l.groupId, label: `${l.groupName} (${l.organisationName})` }))} value={groupId} onChange={(v) => (setGroupId(v), setSelected([]))} w={320} />
            <MultiSelect label="Profile types" placeholder="All types" data={(types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))} value={typeIds} onChange={setTypeIds} w={320} clearable />
          </Group>
          {links.some((l) => l.groupType === 'scim') ? (
            <Text size="xs" c="dimmed" mt="xs">
              SCIM groups are not listed: their members come from the identity provider.
            </Text>
          ) : null}
        </Card>
        <FormError error={push.error} />
        {run ? <RunProgress run={run} /> : null}
        {link ? (
          <>
            <Group>
              <Button loading={push.isPending} onClick={() => push.mutate(undefined)} disabled={shown.length === 0}>
                Push all {shown.length}
              </Button>
              <Button variant="light" onClick={() => push.mutate(selected)} disabled={selected.length === 0}>
                Push {selected.length} selected
              </Button>
            </Group>
            {profiles.isPending ? (
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

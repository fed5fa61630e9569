import { Badge, Button, Group, Stack, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { checksQuery, profileTypesQuery, useRecordSettingsChanged } from './queries';
import { SetupAddCheck } from './SetupAddCheck';

type Check = Answer<'/api/record/checks'>['items'][number];

/** The checks: the built-in KCSIE set (statutory ones stay on) and the trust's and schools' own. */
export function SetupChecks() {
  const list = useQuery(checksQuery());
  const types = useQuery(profileTypesQuery());
  const [adding, setAdding] = useState(false);
  const typeName = (k: string) => types.data?.items.find((t) => t.key === k)?.name ?? k;
  return (
    <Stack>
      <Group>
        <Button onClick={() => setAdding(true)}>Add a check</Button>
      </Group>
      <QueryState query={list} empty="No checks yet: the built-in set starts with the first organisation.">
        {(data) => (
          <Table aria-label="Checks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Check</Table.Th>
                <Table.Th>Applies to</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>In use</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((c) => (
                <CheckRow key={c.id} c={c} typeName={typeName} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <SetupAddCheck opened={adding} onClose={() => setAdding(false)} types={types.data?.items ?? []} />
    </Stack>
  );
}

function CheckRow({ c, typeName }: { c: Check; typeName: (key: string) => string }) {
  const changed = useRecordSettingsChanged();
  const path = { params: { path: { id: c.id } } };
  const setEnabled = useMutation({ mutationFn: (enabled: boolean) => ok(client.PATCH('/api/record/checks/{id}', { ...path, body: { enabled } })), onSuccess: changed });
  const remove = useMutation({ mutationFn: () => ok(client.DELETE('/api/record/checks/{id}', path)), onSuccess: changed });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={600}>
          {c.name}
        </Text>
        <Text size="xs" c="dimmed">
          {c.section} · {c.type}
          {c.validity ? ` · valid ${c.validity.n} ${c.validity.unit}` : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="xs">{c.appliesTo.length ? c.appliesTo.map(typeName).join(', ') : 'Everyone'}</Text>
        {c.condition?.conditions.length ? (
          <Text size="xs" c="dimmed">
            when a condition holds
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge variant="light" color={c.requirement === 'statutory' ? 'red' : 'blue'}>
            {c.requirement}
          </Badge>
          <Badge variant="outline">{c.scope === 'builtin' ? c.setVersion : c.scope === 'tenant' ? 'trust-wide' : 'school'}</Badge>
        </Group>
      </Table.Td>
      <Table.Td>
        <Switch aria-label={`Use ${c.name}`} checked={setEnabled.isPending ? setEnabled.variables : c.enabled} disabled={c.requirement === 'statutory'} onChange={(e) => setEnabled.mutate(e.currentTarget.checked)} />
        <FormError error={setEnabled.error} />
      </Table.Td>
      <Table.Td>
        {c.scope !== 'builtin' ? (
          <ConfirmButton size="xs" color="red" variant="subtle" title={`Delete ${c.name}`} message="Only a check nobody has a value for can be deleted; otherwise switch it off." confirmLabel="Delete" onConfirm={() => remove.mutateAsync()}>
            Delete
          </ConfirmButton>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

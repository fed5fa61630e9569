import { Alert, Badge, Button, Card, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok } from '../../api/client';
import { QueryState } from '../../components/QueryState';
import { FormError } from '../../components/common';

/** Query keys of the record's rule set. */
export const ruleSetKeys = { current: ['record', 'rule-set'] as const };
const ruleSetQuery = () => queryOptions({ queryKey: ruleSetKeys.current, queryFn: () => ok(client.GET('/api/record/rule-set')) });

type Preview = Awaited<ReturnType<typeof previewOf>>;
const previewOf = (version: string) => ok(client.POST('/api/record/rule-set/preview', { body: { version } }));

/** The built-in rule set in use; preview a version (writes nothing), then apply it. Going back is applying the earlier one. */
export function RuleSet() {
  const current = useQuery(ruleSetQuery());
  const queryClient = useQueryClient();
  const [version, setVersion] = useState('');
  const preview = useMutation({ mutationFn: previewOf });
  const apply = useMutation({
    mutationFn: (v: string) => ok(client.POST('/api/record/rule-set/apply', { body: { version: v } })),
    onSuccess: () => {
      preview.reset();
      void queryClient.invalidateQueries({ queryKey: ['record'] });
    },
  });
  return (
    <QueryState query={current}>
      {(data) => {
        const others = data.versions.filter((v) => !v.current);
        const chosen = version || others.at(-1)?.version || '';
        return (
          <Stack>
            <Card withBorder>
              <Group gap="xs">
                <Title order={2} size="h4">
                  Rule set in use:
                </Title>
                <Badge size="lg" variant="light" data-testid="rule-set-version">
                  {data.version}
                </Badge>
                {data.version !== data.latest ? <Badge color="orange">{data.latest} is available</Badge> : null}
              </Group>
              <Text size="sm" c="dimmed" mt="xs">
                {data.summary}
              </Text>
            </Card>
            {others.length ? (
              <Card withBorder>
                <Group align="flex-end">
                  <NativeSelect label="Move to" data={others.map((v) => v.version)} value={chosen} onChange={(e) => setVersion(e.currentTarget.value)} />
                  <Button variant="light" loading={preview.isPending} onClick={() => preview.mutate(chosen)}>
                    Preview
                  </Button>
                </Group>
                <Text size="sm" mt="xs">
                  {others.find((v) => v.version === chosen)?.summary}
                </Text>
                <FormError error={preview.error ?? apply.error} />
              </Card>
            ) : null}
            {apply.data ? (
              <Alert color="green" title={`Now running ${apply.data.to}`} role="status">
                {apply.data.checks.length} check changes; {apply.data.profiles.length} profiles changed rating. To undo, apply {apply.data.from}.
              </Alert>
            ) : null}
            {preview.data ? <PreviewView p={preview.data} applying={apply.isPending} onApply={() => apply.mutate(preview.data.to)} /> : null}
          </Stack>
        );
      }}
    </QueryState>
  );
}

function PreviewView({ p, applying, onApply }: { p: Preview; applying: boolean; onApply: () => void }) {
  return (
    <Card withBorder aria-label="Upgrade preview">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          {p.from} → {p.to}: {p.checks.length} check changes, {p.profiles.length} of {p.profilesChecked} profiles change rating
        </Title>
        <Button onClick={onApply} loading={applying}>
          Apply {p.to}
        </Button>
      </Group>
      {p.facts.added.length || p.facts.removed.length ? (
        <Text size="sm" mb="xs">
          {p.facts.added.length ? `New facts about the post: ${p.facts.added.map((f) => f.name).join(', ')}. ` : ''}
          {p.facts.removed.length ? `Facts no longer used: ${p.facts.removed.map((f) => f.name).join(', ')}.` : ''}
        </Text>
      ) : null}
      <Table aria-label="Checks that change">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Check</Table.Th>
            <Table.Th>Change</Table.Th>
            <Table.Th>What</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {p.checks.map((c) => (
            <Table.Tr key={c.key}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td>{c.change}</Table.Td>
              <Table.Td>{c.fields.join(', ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Table aria-label="Profiles whose rating changes" mt="md">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Person</Table.Th>
            <Table.Th>Organisation</Table.Th>
            <Table.Th>Ready</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {p.profiles.map((x) => (
            <Table.Tr key={x.id}>
              <Table.Td>{x.name}</Table.Td>
              <Table.Td>{x.organisation}</Table.Td>
              <Table.Td>
                {x.readyBefore ? 'Ready' : 'Not ready'} → {x.readyAfter ? 'Ready' : 'Not ready'}
              </Table.Td>
              <Table.Td>
                {x.systems
                  .map((s) => [s.newlyMissing.length ? `${s.name}: now needs ${s.newlyMissing.join(', ')}` : '', s.noLongerMissing.length ? `${s.name}: no longer needs ${s.noLongerMissing.join(', ')}` : ''].filter(Boolean).join('; '))
                  .filter(Boolean)
                  .join('; ')}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

import { ActionIcon, Alert, Anchor, Badge, Button, Card, Group, List, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { client, ok, type Answer } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { ConditionBuilder } from '../record/ConditionBuilder';
import type { ConditionGroup } from '../record/recordApi';
import { groupsQuery } from '../signin/queries';
import { integrationKeys, typeMapQuery } from './queries';
import { groupNamesToIds, typeMapFields, type GroupOption } from './typeMap';

type TypeMapView = Answer<'/api/integration/type-map'>;
type Preview = Answer<'/api/integration/type-map/preview', 'post'>;
type Draft = { key: string; profileTypeId: string; condition: ConditionGroup };
let nextKey = 0;
const newKey = () => `r${++nextKey}`;

/**
 * The profile type map: ordered rules in the Central Record's condition language over the member's
 * attributes; the first match wins. The preview shows what the rules (saved or not) do to the
 * current members of linked groups.
 */
export default function TypeMap() {
  const view = useQuery(typeMapQuery());
  const groups = useQuery({
    ...groupsQuery(),
    select: (d): GroupOption[] => d.items.map((g) => ({ value: g.id, label: g.archived ? `${g.name} (archived)` : g.name })),
  });
  return (
    <>
      <PageHeader title="Profile type map" description="For each profile type, a rule over the member's group, role, email, custom fields and identity provider attributes. Rules are tried in order; the first match wins. Members of staff groups that match nothing become Teaching Staff; others are listed as unmapped." />
      <QueryState query={view}>{(data) => <QueryState query={groups}>{(options) => <Editor view={data} groups={options} />}</QueryState>}</QueryState>
    </>
  );
}

function Editor({ view, groups }: { view: TypeMapView; groups: GroupOption[] }) {
  const queryClient = useQueryClient();
  const [rules, setRules] = useState<Draft[]>(() => view.rules.map((r) => ({ key: newKey(), profileTypeId: r.profileTypeId, condition: groupNamesToIds(r.condition, groups) })));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [saved, setSaved] = useState(false);
  const fields = useMemo(() => typeMapFields(view.fields, groups), [view.fields, groups]);
  const types = view.profileTypes;
  const body = () => ({ rules: rules.map((r) => ({ profileTypeId: r.profileTypeId, condition: r.condition })) });
  const run = useMutation({
    mutationFn: async (what: 'preview' | 'save') => {
      if (what === 'save') await ok(client.PUT('/api/integration/type-map', { body: body() }));
      return { what, preview: await ok(client.POST('/api/integration/type-map/preview', { body: body() })) };
    },
    onMutate: () => setSaved(false),
    onSuccess: ({ what, preview: p }) => {
      setPreview(p);
      if (what === 'save') {
        setSaved(true);
        return queryClient.invalidateQueries({ queryKey: integrationKeys.typeMap });
      }
      return undefined;
    },
  });
  const move = (i: number, d: -1 | 1) => {
    const next = [...rules];
    const [r] = next.splice(i, 1);
    next.splice(i + d, 0, r!);
    setRules(next);
  };
  const unused = types.filter((t) => !rules.some((r) => r.profileTypeId === t.id));
  return (
    <Stack>
      {rules.length === 0 ? (
        <Text c="dimmed" data-testid="type-map-empty">
          No rules yet: members of linked staff groups become Teaching Staff, and members of other linked groups are unmapped (not imported). Add a rule per profile type, e.g. Contractors when
          the sign-in group is Contractors. A group can be chosen once it is linked to an organisation (
          <Anchor component={Link} to="/integrations" underline="always">
            Integrations › Overview
          </Anchor>
          ).
        </Text>
      ) : null}
      {rules.map((r, i) => (
        <Card key={r.key} withBorder aria-label={`Rule ${i + 1}`}>
          <Stack gap="xs">
            <Group justify="space-between">
              <Group gap="xs">
                <Badge variant="light">{i + 1}</Badge>
                <Select
                  aria-label={`Profile type of rule ${i + 1}`}
                  data={types.filter((t) => t.id === r.profileTypeId || !rules.some((x) => x.profileTypeId === t.id)).map((t) => ({ value: t.id, label: t.name }))}
                  value={r.profileTypeId}
                  onChange={(v) => v && setRules(rules.map((x) => (x.key === r.key ? { ...x, profileTypeId: v } : x)))}
                  w={240}
                />
              </Group>
              <Group gap={4}>
                <ActionIcon variant="subtle" aria-label={`Move rule ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </ActionIcon>
                <ActionIcon variant="subtle" aria-label={`Move rule ${i + 1} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </ActionIcon>
                <ActionIcon variant="subtle" color="red" aria-label={`Remove rule ${i + 1}`} onClick={() => setRules(rules.filter((x) => x.key !== r.key))}>
                  ×
                </ActionIcon>
              </Group>
            </Group>
            <ConditionBuilder value={r.condition} fields={fields} onChange={(condition) => setRules(rules.map((x) => (x.key === r.key ? { ...x, condition } : x)))} />
          </Stack>
        </Card>
      ))}
      <Group>
        <Button variant="light" disabled={unused.length === 0} onClick={() => setRules([...rules, { key: newKey(), profileTypeId: unused[0]!.id, condition: { op: 'and', conditions: [] } }])}>
          Add rule
        </Button>
        <Button variant="default" loading={run.isPending && run.variables === 'preview'} onClick={() => run.mutate('preview')}>
          Preview
        </Button>
        <Button loading={run.isPending && run.variables === 'save'} onClick={() => run.mutate('save')}>
          Save rules
        </Button>
      </Group>
      <FormError error={run.error} />
      {saved ? (
        <Text c="teal.9" size="sm" role="status">
          Rules saved.
        </Text>
      ) : null}
      {preview ? <PreviewView preview={preview} /> : null}
    </Stack>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  return (
    <Card withBorder aria-label="Mapping preview">
      <Title order={2} size="h4" mb="xs">
        Preview: {preview.members} member{preview.members === 1 ? '' : 's'} of linked groups
      </Title>
      <Table>
        <Table.Tbody>
          {preview.rules.map((r) => (
            <Table.Tr key={r.ruleId}>
              <Table.Td>{r.profileTypeName}</Table.Td>
              <Table.Td>{r.count}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td>Teaching Staff (staff groups, no rule matched)</Table.Td>
            <Table.Td>{preview.teachingStaffDefault}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>Unmapped</Table.Td>
            <Table.Td>{preview.unmapped.length}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {preview.unmapped.length ? (
        <Alert color="yellow" mt="sm" title="Unmapped members (not imported until a rule matches them)">
          <List size="sm">
            {preview.unmapped.slice(0, 50).map((u) => (
              <List.Item key={u.memberId}>
                {u.fullName} — {u.groupName}
                {u.role ? `, ${u.role}` : ''}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Card>
  );
}

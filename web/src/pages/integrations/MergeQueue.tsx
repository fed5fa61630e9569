import { Alert, Anchor, Badge, Button, Card, Group, Radio, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import { PROFILE_FIELD_LABELS, REASONS, type Merge, type Pair, type QueueItem, type Run } from './integrationApi';

/** Suggested duplicates: one pair side by side with "preserve these values" per field; merge one, or all. */
export default function MergeQueue() {
  const queue = useApi<{ items: QueueItem[] }>('/api/integration/merge-queue');
  const [openId, setOpenId] = useState<string | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (queue.loading && !queue.data) return <LoadingState />;
  if (queue.error) return <ErrorState error={queue.error} onRetry={queue.reload} />;
  const items = queue.data!.items;
  const mergeAll = async () => {
    setError(null);
    setRun(await api.post<Run>('/api/integration/merges/all', {}));
  };
  return (
    <>
      <PageHeader title="Duplicates" description="Probable duplicates found by the import and the Wonde sync. Merging keeps the link to the member and every check with its evidence; each merge can be undone from the merge history.">
        <Anchor component={Link} to="/integrations/merges">
          Merge history
        </Anchor>
        {items.length > 1 ? (
          <ConfirmButton confirmLabel="Merge all" title={`Merge all ${items.length} suggested pairs?`} message="Each pair keeps the more complete, more recent values. Every merge can be undone one by one." onConfirm={mergeAll}>
            Merge all
          </ConfirmButton>
        ) : null}
      </PageHeader>
      <Stack>
        <FormError error={error} />
        {run ? <RunProgress run={run} onFinished={() => queue.reload()} /> : null}
        {done ? (
          <Alert color="green" role="status" title="Merged">
            {done} merged. <Anchor component={Link} to="/integrations/merges">Undo it from the merge history</Anchor> if it was a mistake.
          </Alert>
        ) : null}
        {items.length === 0 ? <Text c="dimmed">No suggested duplicates.</Text> : null}
        {items.map((q) => (
          <Card key={q.id} withBorder aria-label={`Pair ${q.a.name} and ${q.b.name}`}>
            <Group justify="space-between">
              <Stack gap={2}>
                <Text fw={500}>
                  {q.a.name} ({q.a.email || 'no email'}) · {q.b.name} ({q.b.email || 'no email'})
                </Text>
                <Group gap="xs">
                  <Badge variant="light">{REASONS[q.reason] ?? q.reason}</Badge>
                  <Text size="xs" c="dimmed">
                    {q.detail}
                  </Text>
                </Group>
              </Stack>
              <Button variant={openId === q.id ? 'filled' : 'light'} onClick={() => setOpenId(openId === q.id ? null : q.id)}>
                {openId === q.id ? 'Close' : 'Compare'}
              </Button>
            </Group>
            {openId === q.id ? (
              <PairView
                id={q.id}
                onDone={(m) => {
                  setOpenId(null);
                  setDone(m ? (q.a.name === q.b.name ? q.a.name : `${q.a.name} and ${q.b.name}`) : null);
                  queue.reload();
                }}
              />
            ) : null}
          </Card>
        ))}
      </Stack>
    </>
  );
}

function PairView({ id, onDone }: { id: string; onDone: (m: Merge | null) => void }) {
  const pair = useApi<Pair>(`/api/integration/merge-queue/${id}`);
  const types = useApi<{ items: Array<{ id: string; name: string }> }>('/api/record/profile-types');
  const typeName = new Map((types.data?.items ?? []).map((t) => [t.id, t.name]));
  const [choices, setChoices] = useState<Record<string, 'kept' | 'merged'>>({});
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (pair.data) setChoices(pair.data.defaults);
  }, [pair.data]);
  if (pair.loading && !pair.data) return <LoadingState />;
  if (pair.error) return <ErrorState error={pair.error} onRetry={pair.reload} />;
  const p = pair.data!;
  const merge = async () => {
    setError(null);
    try {
      onDone(await api.post<Merge>('/api/integration/merges', { keptProfileId: p.kept.id, mergedProfileId: p.merged.id, choices, queueId: p.id }));
    } catch (err) {
      setError(err);
    }
  };
  const dismiss = async () => {
    await api.post(`/api/integration/merge-queue/${p.id}/dismiss`, {});
    onDone(null);
  };
  return (
    <Stack mt="md">
      <Title order={3} size="h5">
        Preserve these values
      </Title>
      <Table withColumnBorders>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Profile kept ({p.kept.checks} checks)</Table.Th>
            <Table.Th>Profile merged in ({p.merged.checks} checks)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {Object.keys(p.kept.fields).map((f) => {
            const show = (v: string | null | undefined) => (f === 'profileTypeId' && v ? (typeName.get(v) ?? v) : (v ?? ''));
            const a = show(p.kept.fields[f]);
            const b = show(p.merged.fields[f]);
            const label = PROFILE_FIELD_LABELS[f] ?? f;
            return (
              <Table.Tr key={f}>
                <Table.Td>{label}</Table.Td>
                {(['kept', 'merged'] as const).map((side) => (
                  <Table.Td key={side}>
                    {a === b ? (
                      <Text size="sm">{side === 'kept' ? a || '—' : ''}</Text>
                    ) : (
                      <Radio
                        name={`${id}-${f}`}
                        aria-label={`${label}: keep ${side === 'kept' ? a || 'empty' : b || 'empty'}`}
                        label={(side === 'kept' ? a : b) || '(empty)'}
                        checked={(choices[f] ?? 'kept') === side}
                        onChange={() => setChoices({ ...choices, [f]: side })}
                      />
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        Checks and their evidence from both profiles are kept (where both have the same check, the more recent value).
      </Text>
      <FormError error={error} />
      <Group>
        <Button onClick={() => void merge()}>Merge this pair</Button>
        <Button variant="default" onClick={() => void dismiss()}>
          Not the same person
        </Button>
      </Group>
    </Stack>
  );
}

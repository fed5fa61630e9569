import { Alert, Anchor, Badge, Button, Card, Group, Radio, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { client, ok, type Answer, type Body } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { profileTypesQuery, recordKeys } from '../record/queries';
import { RunProgress } from './RunProgress';
import { PROFILE_FIELD_LABELS, REASONS, type BatchSide } from './integrationApi';
import { integrationKeys, mergePairQuery, mergeQueueQuery } from './queries';

type QueueItem = Answer<'/api/integration/merge-queue'>['items'][number];
type Pair = Answer<'/api/integration/merge-queue/{id}'>;
type MergePreview = Answer<'/api/integration/merges/preview', 'post'>;
type Choices = Record<string, 'kept' | 'merged'>;
type BatchOptions = Body<'/api/integration/merges/all', 'post'>;

/** After a merge (one or all): the queue, the merge history and the record's profiles change. */
function useMerged() {
  const queryClient = useQueryClient();
  return () => Promise.all([integrationKeys.mergeQueue, integrationKeys.merges, recordKeys.profiles].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

/** Suggested duplicates: one pair side by side with "preserve these values" per field; merge one, or all. */
export default function MergeQueue() {
  const queue = useQuery(mergeQueueQuery());
  return <QueryState query={queue}>{(data) => <Queue items={data.items} />}</QueryState>;
}

function Queue({ items }: { items: QueueItem[] }) {
  const merged = useMerged();
  const [openId, setOpenId] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const batch = useForm<{ preserve: Partial<Record<string, BatchSide>> }>({ initialValues: { preserve: {} } });
  const [exceptions, setExceptions] = useState<Record<string, Choices>>({});
  const options = (): BatchOptions => ({
    preserve: Object.fromEntries(Object.entries(batch.getValues().preserve).filter(([, v]) => v)) as BatchOptions['preserve'],
    exceptions: Object.fromEntries(Object.entries(exceptions).filter(([id]) => items.some((q) => q.id === id))),
  });
  const preview = useMutation({ mutationFn: () => ok(client.POST('/api/integration/merges/preview', { body: options() })) });
  const mergeAll = useMutation({ mutationFn: () => ok(client.POST('/api/integration/merges/all', { body: options() })), onSuccess: () => preview.reset() });
  const { preserve } = batch.getValues();
  return (
    <>
      <PageHeader title="Duplicates" description="Probable duplicates found by the import and the Wonde sync. Merging keeps the link to the member and every check with its evidence; each merge can be undone from the merge history.">
        <Anchor component={Link} to="/integrations/merges">
          Merge history
        </Anchor>
      </PageHeader>
      <Stack>
        <FormError error={preview.error ?? mergeAll.error} />
        {items.length > 0 ? (
          <Card withBorder aria-labelledby="merge-all">
            <Title order={2} size="h4" id="merge-all">
              Merge all: preserve these values
            </Title>
            <Text size="sm" c="dimmed" mb="sm">
              For every pair, choose per field which profile&apos;s value is kept: the one the Central Record already had, or the one that came from sign-in. Pairs you set yourself below keep their own choices.
            </Text>
            <Group align="flex-end" wrap="wrap" gap="sm">
              {Object.entries(PROFILE_FIELD_LABELS).map(([f, label]) => (
                <Select
                  key={f}
                  w={200}
                  label={label}
                  aria-label={`Preserve ${label}`}
                  data={[
                    { value: 'auto', label: 'Automatic' },
                    { value: 'record', label: 'Central Record profile' },
                    { value: 'signin', label: 'From sign-in' },
                  ]}
                  value={preserve[f] ?? 'auto'}
                  onChange={(v) => {
                    batch.setFieldValue('preserve', { ...preserve, [f]: v === 'record' || v === 'signin' ? v : undefined });
                    preview.reset();
                  }}
                  allowDeselect={false}
                />
              ))}
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              Automatic: the value that is there; when both are, the more recently updated profile&apos;s.
            </Text>
            <Group mt="md">
              <Button variant="light" loading={preview.isPending} onClick={() => preview.mutate()}>
                Preview
              </Button>
              {preview.data ? (
                <ConfirmButton confirmLabel="Merge all" title={`Merge all ${preview.data.total} suggested pairs?`} message="Each pair is merged as previewed. Every merge can be undone one by one from the merge history." onConfirm={() => mergeAll.mutateAsync()}>
                  Merge all {preview.data.total}
                </ConfirmButton>
              ) : null}
            </Group>
            {preview.data ? <PreviewTable preview={preview.data} /> : null}
          </Card>
        ) : null}
        {mergeAll.data ? <RunProgress run={mergeAll.data} onFinished={() => void merged()} /> : null}
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
                  {exceptions[q.id] ? <Badge color="grape">Own choices in Merge all</Badge> : null}
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
                exception={exceptions[q.id]}
                onException={(c) => {
                  const next = { ...exceptions };
                  if (c) next[q.id] = c;
                  else delete next[q.id];
                  setExceptions(next);
                  preview.reset();
                  setOpenId(null);
                }}
                onDone={(wasMerged) => {
                  setOpenId(null);
                  setDone(wasMerged ? (q.a.name === q.b.name ? q.a.name : `${q.a.name} and ${q.b.name}`) : null);
                }}
              />
            ) : null}
          </Card>
        ))}
      </Stack>
    </>
  );
}

const ORIGIN = { record: 'Central Record', signin: 'sign-in' } as const;

/** What Merge all will do: per pair, the profile kept and the value each field ends with. */
function PreviewTable({ preview }: { preview: MergePreview }) {
  const fields = Object.keys(PROFILE_FIELD_LABELS).filter((f) => f !== 'profileTypeId');
  return (
    <Stack gap={4} mt="md">
      <Text size="sm" fw={500}>
        Preview of {preview.items.length === preview.total ? `all ${preview.total}` : `${preview.items.length} of ${preview.total}`} pairs
      </Text>
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label="Merge all preview" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Pair</Table.Th>
              {fields.map((f) => (
                <Table.Th key={f}>{PROFILE_FIELD_LABELS[f]}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.items.map((i) => (
              <Table.Tr key={i.queueId}>
                <Table.Td>
                  {i.kept.name}
                  {i.exception ? ' (own choices)' : ''}
                </Table.Td>
                {fields.map((f) => {
                  const v = i.fields.find((x) => x.field === f);
                  return (
                    <Table.Td key={f} title={v ? `from the ${ORIGIN[v.origin]} profile` : undefined}>
                      {v?.value || '—'}
                      {v?.value ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          ({ORIGIN[v.origin]})
                        </Text>
                      ) : null}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function PairView({ id, exception, onException, onDone }: { id: string; exception?: Choices; onException: (c: Choices | null) => void; onDone: (merged: boolean) => void }) {
  const pair = useQuery(mergePairQuery(id));
  return <QueryState query={pair}>{(p) => <PairChoices key={JSON.stringify(exception ?? null)} pair={p} exception={exception} onException={onException} onDone={onDone} />}</QueryState>;
}

function PairChoices({ pair: p, exception, onException, onDone }: { pair: Pair; exception?: Choices; onException: (c: Choices | null) => void; onDone: (merged: boolean) => void }) {
  const merged = useMerged();
  const types = useQuery(profileTypesQuery());
  const typeName = new Map((types.data?.items ?? []).map((t) => [t.id, t.name]));
  const form = useForm<{ choices: Choices }>({ initialValues: { choices: exception ?? p.defaults } });
  const { choices } = form.getValues();
  const merge = useMutation({
    mutationFn: () => ok(client.POST('/api/integration/merges', { body: { keptProfileId: p.kept.id, mergedProfileId: p.merged.id, choices, queueId: p.id } })),
    onSuccess: async () => {
      await merged();
      onDone(true);
    },
  });
  const dismiss = useMutation({
    mutationFn: () => ok(client.POST('/api/integration/merge-queue/{id}/dismiss', { params: { path: { id: p.id } } })),
    onSuccess: async () => {
      await merged();
      onDone(false);
    },
  });
  const id = p.id;
  return (
    <Stack mt="md">
      <Title order={3} size="h5">
        Preserve these values
      </Title>
      <Table withColumnBorders>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>
              Profile kept: {ORIGIN[p.kept.origin]} ({p.kept.checks} checks)
            </Table.Th>
            <Table.Th>
              Merged in: {ORIGIN[p.merged.origin]} ({p.merged.checks} checks)
            </Table.Th>
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
                        onChange={() => form.setFieldValue('choices', { ...choices, [f]: side })}
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
      <FormError error={merge.error ?? dismiss.error} />
      <Group>
        <Button loading={merge.isPending} onClick={() => merge.mutate()}>
          Merge this pair
        </Button>
        <Button variant="light" onClick={() => onException(choices)}>
          Use these choices in Merge all
        </Button>
        {exception ? (
          <Button variant="subtle" onClick={() => onException(null)}>
            Follow the batch&apos;s choices
          </Button>
        ) : null}
        <Button variant="default" loading={dismiss.isPending} onClick={() => dismiss.mutate()}>
          Not the same person
        </Button>
      </Group>
    </Stack>
  );
}

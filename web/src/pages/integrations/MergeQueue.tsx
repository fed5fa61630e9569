import { Alert, Anchor, Badge, Button, Card, Group, Radio, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import { PROFILE_FIELD_LABELS, REASONS, type BatchSide, type Merge, type MergePreview, type Pair, type QueueItem, type Run } from './integrationApi';

/** Suggested duplicates: one pair side by side with "preserve these values" per field; merge one, or all. */
export default function MergeQueue() {
  const queue = useApi<{ items: QueueItem[] }>('/api/integration/merge-queue');
  const [openId, setOpenId] = useState<string | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [preserve, setPreserve] = useState<Partial<Record<string, BatchSide>>>({});
  const [exceptions, setExceptions] = useState<Record<string, Record<string, 'kept' | 'merged'>>>({});
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (queue.loading && !queue.data) return <LoadingState />;
  if (queue.error) return <ErrorState error={queue.error} onRetry={queue.reload} />;
  const items = queue.data!.items;
  const options = () => ({ preserve: Object.fromEntries(Object.entries(preserve).filter(([, v]) => v)), exceptions: Object.fromEntries(Object.entries(exceptions).filter(([id]) => items.some((q) => q.id === id))) });
  const showPreview = async () => {
    setError(null);
    try {
      setPreview(await api.post<MergePreview>('/api/integration/merges/preview', options()));
    } catch (err) {
      setError(err);
    }
  };
  const mergeAll = async () => {
    setError(null);
    setRun(await api.post<Run>('/api/integration/merges/all', options()));
    setPreview(null);
  };
  return (
    <>
      <PageHeader title="Duplicates" description="Probable duplicates found by the import and the Wonde sync. Merging keeps the link to the member and every check with its evidence; each merge can be undone from the merge history.">
        <Anchor component={Link} to="/integrations/merges">
          Merge history
        </Anchor>
      </PageHeader>
      <Stack>
        <FormError error={error} />
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
                  onChange={(v) => (setPreserve({ ...preserve, [f]: v === 'record' || v === 'signin' ? v : undefined }), setPreview(null))}
                  allowDeselect={false}
                />
              ))}
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              Automatic: the value that is there; when both are, the more recently updated profile&apos;s.
            </Text>
            <Group mt="md">
              <Button variant="light" onClick={() => void showPreview()}>
                Preview
              </Button>
              {preview ? (
                <ConfirmButton confirmLabel="Merge all" title={`Merge all ${preview.total} suggested pairs?`} message="Each pair is merged as previewed. Every merge can be undone one by one from the merge history." onConfirm={mergeAll}>
                  Merge all {preview.total}
                </ConfirmButton>
              ) : null}
            </Group>
            {preview ? <PreviewTable preview={preview} /> : null}
          </Card>
        ) : null}
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
                  setPreview(null);
                  setOpenId(null);
                }}
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

function PairView({ id, exception, onException, onDone }: { id: string; exception?: Record<string, 'kept' | 'merged'>; onException: (c: Record<string, 'kept' | 'merged'> | null) => void; onDone: (m: Merge | null) => void }) {
  const pair = useApi<Pair>(`/api/integration/merge-queue/${id}`);
  const types = useApi<{ items: Array<{ id: string; name: string }> }>('/api/record/profile-types');
  const typeName = new Map((types.data?.items ?? []).map((t) => [t.id, t.name]));
  const [choices, setChoices] = useState<Record<string, 'kept' | 'merged'>>({});
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (pair.data) setChoices(exception ?? pair.data.defaults);
  }, [pair.data, exception]);
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
        <Button variant="light" onClick={() => onException(choices)}>
          Use these choices in Merge all
        </Button>
        {exception ? (
          <Button variant="subtle" onClick={() => onException(null)}>
            Follow the batch&apos;s choices
          </Button>
        ) : null}
        <Button variant="default" onClick={() => void dismiss()}>
          Not the same person
        </Button>
      </Group>
    </Stack>
  );
}

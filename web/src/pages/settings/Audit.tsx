import { Button, Card, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Answer } from '../../api/client';
import { ErrorState, LoadingState, PageHeader } from '../../components/common';
import { auditQuery, usersQuery, type AuditFilter } from './queries';
import { formatDateTime } from '../../format';

type AuditItem = Answer<'/api/audit'>['items'][number];
type Filters = { action: string; actorId: string; targetType: string; from: string; to: string };
const EMPTY: Filters = { action: '', actorId: '', targetType: '', from: '', to: '' };

/** The form's filters as the API takes them: local days as ISO instants, from the start of `from` to the start of the day after `to`. */
export function auditFilter(f: Filters): AuditFilter {
  const after = (day: string) => {
    const d = new Date(`${day}T00:00:00`);
    d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  const text = (v: string) => v.trim() || undefined;
  return {
    action: text(f.action),
    actorId: f.actorId || undefined,
    targetType: text(f.targetType),
    from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    to: f.to ? after(f.to) : undefined,
  };
}

export default function Audit() {
  const form = useForm<Filters>({ initialValues: EMPTY });
  const [filters, setFilters] = useState<AuditFilter>({});
  const [open, setOpen] = useState<string | null>(null);
  const users = useQuery(usersQuery());
  const log = useInfiniteQuery(auditQuery(filters));
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Audit log" description="Every change made in Threshold: who, what and when. Newest first." />
      <Card withBorder padding="md" mb="md" component="form" onSubmit={form.onSubmit((v) => setFilters(auditFilter(v)))} aria-label="Filter the audit log">
        <Group align="flex-end" wrap="wrap" gap="sm">
          <TextInput label="Action" placeholder="user.* or user.invited" {...form.getInputProps('action')} style={{ flex: '1 1 180px' }} />
          <Select
            label="Who"
            placeholder="Anyone"
            data={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name ? `${u.name} (${u.email})` : u.email }))}
            value={form.getValues().actorId || null}
            onChange={(v) => form.setFieldValue('actorId', v ?? '')}
            searchable
            clearable
            style={{ flex: '1 1 200px' }}
          />
          <TextInput label="Target type" placeholder="e.g. user" {...form.getInputProps('targetType')} style={{ flex: '1 1 140px' }} />
          <TextInput label="From" type="date" {...form.getInputProps('from')} style={{ flex: '1 1 150px' }} />
          <TextInput label="To" type="date" {...form.getInputProps('to')} style={{ flex: '1 1 150px' }} />
          <Group gap="xs">
            <Button type="submit">Filter</Button>
            <Button
              variant="default"
              onClick={() => {
                form.setValues(EMPTY);
                setFilters({});
              }}
            >
              Clear
            </Button>
          </Group>
        </Group>
      </Card>
      {log.isError ? <ErrorState error={log.error} onRetry={() => void log.refetch()} /> : null}
      {log.isSuccess && items.length === 0 ? <Text c="dimmed">No entries match.</Text> : null}
      {items.length > 0 ? (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" aria-label="Audit log entries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <AuditRow key={a.id} item={a} open={open === a.id} onToggle={() => setOpen(open === a.id ? null : a.id)} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {log.isFetching ? <LoadingState /> : null}
      {log.hasNextPage && !log.isFetching ? (
        <Group justify="center" mt="md">
          <Button variant="light" onClick={() => void log.fetchNextPage()}>
            Load older entries
          </Button>
        </Group>
      ) : null}
    </>
  );
}

function AuditRow({ item: a, open, onToggle }: { item: AuditItem; open: boolean; onToggle: () => void }) {
  const hasData = Object.keys(a.data).length > 0;
  return (
    <>
      <Table.Tr>
        <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at)}</Table.Td>
        <Table.Td>
          {a.actorLabel || a.actorKind}
          {a.actorLabel && a.actorKind !== 'user' && a.actorLabel !== a.actorKind ? (
            <Text span size="xs" c="dimmed">
              {' '}
              ({a.actorKind})
            </Text>
          ) : null}
        </Table.Td>
        <Table.Td>
          <Code>{a.action}</Code>
        </Table.Td>
        <Table.Td>{a.summary || [a.targetType, a.targetId].filter(Boolean).join(' ') || '—'}</Table.Td>
        <Table.Td>
          {hasData ? (
            <Button size="compact-xs" variant="subtle" onClick={onToggle} aria-expanded={open}>
              {open ? 'Hide' : 'Show'}
            </Button>
          ) : null}
        </Table.Td>
      </Table.Tr>
      {open ? (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Stack gap={4}>
              {a.targetType ? (
                <Text size="xs">
                  Target: {a.targetType} {a.targetId}
                </Text>
              ) : null}
              {hasData ? <Code block>{JSON.stringify(a.data, null, 2)}</Code> : null}
            </Stack>
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}

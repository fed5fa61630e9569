import { Button, Card, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { api, query, type AuditItem, type Page, type User } from '../../api';
import { useApi } from '../../hooks';
import { ErrorState, LoadingState, PageHeader, formatDateTime } from '../../components/common';

type Filters = { action: string; actorId: string; targetType: string; from: string; to: string };
const EMPTY: Filters = { action: '', actorId: '', targetType: '', from: '', to: '' };

/** Local days as ISO instants: from the start of `from` to the start of the day after `to` (exclusive). */
function range(f: Filters) {
  const after = (day: string) => {
    const d = new Date(`${day}T00:00:00`);
    d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  return { from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined, to: f.to ? after(f.to) : undefined };
}

export default function Audit() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const users = useApi<{ items: User[] }>('/api/users');

  const load = async (f: Filters, after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<Page<AuditItem>>(
        `/api/audit${query({ action: f.action.trim(), actorId: f.actorId, targetType: f.targetType.trim(), ...range(f), cursor: after })}`,
      );
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(filters, null);
  }, [filters]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };

  return (
    <>
      <PageHeader title="Audit log" description="Every change made in Threshold: who, what and when. Newest first." />
      <Card withBorder padding="md" mb="md" component="form" onSubmit={apply} aria-label="Filter the audit log">
        <Group align="flex-end" wrap="wrap" gap="sm">
          <TextInput
            label="Action"
            placeholder="user.* or user.invited"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })}
            style={{ flex: '1 1 180px' }}
          />
          <Select
            label="Who"
            placeholder="Anyone"
            data={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name ? `${u.name} (${u.email})` : u.email }))}
            value={draft.actorId || null}
            onChange={(v) => setDraft({ ...draft, actorId: v ?? '' })}
            searchable
            clearable
            style={{ flex: '1 1 200px' }}
          />
          <TextInput
            label="Target type"
            placeholder="e.g. user"
            value={draft.targetType}
            onChange={(e) => setDraft({ ...draft, targetType: e.currentTarget.value })}
            style={{ flex: '1 1 140px' }}
          />
          <TextInput label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })} style={{ flex: '1 1 150px' }} />
          <TextInput label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })} style={{ flex: '1 1 150px' }} />
          <Group gap="xs">
            <Button type="submit">Filter</Button>
            <Button
              variant="default"
              onClick={() => {
                setDraft(EMPTY);
                setFilters(EMPTY);
              }}
            >
              Clear
            </Button>
          </Group>
        </Group>
      </Card>
      {error ? <ErrorState error={error} onRetry={() => void load(filters, null)} /> : null}
      {!loading && !error && items.length === 0 ? <Text c="dimmed">No entries match.</Text> : null}
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
      {loading ? <LoadingState /> : null}
      {cursor && !loading ? (
        <Group justify="center" mt="md">
          <Button variant="light" onClick={() => void load(filters, cursor)}>
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
          {hasData || a.requestId ? (
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
              {a.requestId ? <Text size="xs">Request: {a.requestId}</Text> : null}
              {hasData ? <Code block>{JSON.stringify(a.data, null, 2)}</Code> : null}
            </Stack>
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}

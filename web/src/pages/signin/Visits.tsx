import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, query } from '../../api';
import { ErrorState, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import type { Group as SigninGroup, Site, Visit } from './signinApi';

type Filters = { siteId?: string; groupId?: string; person?: string; from?: string; to?: string; outcome?: string };

/** Visit history: filters, newest first, more on demand; the same filters export to CSV. */
export default function Visits() {
  const sites = useApi<{ items: Site[] }>('/api/signin/sites');
  const groups = useApi<{ items: SigninGroup[] }>('/api/signin/groups');
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const [items, setItems] = useState<Visit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const load = async (f: Filters, after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<{ items: Visit[]; nextCursor: string | null }>(`/api/signin/visits${query({ ...f, limit: 50, cursor: after })}`);
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
  return (
    <>
      <PageHeader title="History" description="Every sign-in, sign-out and rejected attempt.">
        <Button component="a" href={`/api/signin/visits/export.csv${query({ ...filters })}`} variant="light">
          Export CSV
        </Button>
      </PageHeader>
      <Card withBorder mb="md" component="form" onSubmit={(e) => (e.preventDefault(), setFilters(draft))}>
        <Group align="flex-end" wrap="wrap">
          <Select label="Site" clearable data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} value={draft.siteId ?? null} onChange={(v) => setDraft({ ...draft, siteId: v ?? undefined })} />
          <Select label="Group" clearable data={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))} value={draft.groupId ?? null} onChange={(v) => setDraft({ ...draft, groupId: v ?? undefined })} />
          <TextInput label="Person" value={draft.person ?? ''} onChange={(e) => setDraft({ ...draft, person: e.currentTarget.value || undefined })} />
          <TextInput label="From" type="date" value={draft.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value || undefined })} />
          <TextInput label="To" type="date" value={draft.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value || undefined })} />
          <Select label="Outcome" clearable data={[{ value: 'signed_in', label: 'Signed in' }, { value: 'rejected', label: 'Rejected' }]} value={draft.outcome ?? null} onChange={(v) => setDraft({ ...draft, outcome: v ?? undefined })} />
          <Button type="submit">Apply</Button>
        </Group>
      </Card>
      {error ? <ErrorState error={error} onRetry={() => void load(filters, null)} /> : null}
      <Table.ScrollContainer minWidth={800}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Group</Table.Th>
              <Table.Th>Site</Table.Th>
              <Table.Th>In</Table.Th>
              <Table.Th>Out</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((v) => (
              <Table.Tr key={v.id}>
                <Table.Td>
                  {v.personName}
                  {v.visitor?.company ? <Text span c="dimmed"> ({v.visitor.company})</Text> : null}
                </Table.Td>
                <Table.Td>{v.groupName}</Table.Td>
                <Table.Td>{v.siteName}</Table.Td>
                <Table.Td>{formatDateTime(v.signedInAt)}</Table.Td>
                <Table.Td>{v.signedOutAt ? `${formatDateTime(v.signedOutAt)} (${v.signedOutBy})` : v.outcome === 'signed_in' ? 'On site' : '—'}</Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Badge color={v.outcome === 'rejected' ? 'red' : v.safetyStatus === 'notified' ? 'orange' : 'teal'}>{v.outcome === 'rejected' ? 'Rejected' : v.safetyStatus === 'notified' ? 'Signed in, contacts told' : v.safetyStatus === 'skipped' ? 'Signed in (not checked)' : 'Signed in'}</Badge>
                    {v.reasons.map((r, i) => (
                      <Text key={i} size="xs">
                        {r.reason}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {loading ? <LoadingState /> : null}
      {!loading && items.length === 0 ? <Text c="dimmed">No visits match.</Text> : null}
      {cursor ? (
        <Group justify="center" mt="md">
          <Button variant="default" onClick={() => void load(filters, cursor)}>
            Show more
          </Button>
        </Group>
      ) : null}
    </>
  );
}

import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { MouseEvent } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { ApiError, query } from '../../api';
import { client, ok } from '../../api/client';
import { PageHeader, fieldError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { groupsQuery, signinKeys, sitesQuery } from './queries';
import { formatDateTime } from '../../format';

const FILTERS = ['siteId', 'groupId', 'person', 'from', 'to', 'outcome'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The filters in the address (so they can be linked to and bookmarked), blanks left out. */
function filtersOf(params: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
}

const isoDay = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');

/** Visit history: filters (kept in the address), newest first, more on demand; the same filters export to CSV. */
export default function Visits() {
  const sites = useQuery(sitesQuery());
  const groups = useQuery(groupsQuery());
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const form = useForm({
    // A date input cannot show a date in another form (06/12/2026): such a value starts blank, so Apply drops it.
    initialValues: { siteId: '', groupId: '', person: '', outcome: '', ...filters, from: isoDay(filters.from), to: isoDay(filters.to) },
    validate: { to: (to, v) => (to && v.from && to < v.from ? 'This is before “From”: the range would be empty' : null) },
  });
  const visits = useInfiniteQuery({
    queryKey: [...signinKeys.visits, filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      ok(
        client.GET('/api/signin/visits', {
          params: { query: { ...filters, outcome: filters.outcome as 'signed_in' | 'rejected' | undefined, limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (d) => ({ items: d.pages.flatMap((p) => p.items) }),
  });
  // A filter the server refused (a date mistyped in a bookmarked address): said on its field, not as a load failure.
  const filterError = (name: (typeof FILTERS)[number]) => form.errors[name] ?? fieldError(visits.error, name);
  const filtersRefused = visits.error instanceof ApiError && visits.error.concernsAny(FILTERS);
  // Times on each visit's site's clock, as its days (and the CSV) are; the browser's own zone for a site not listed.
  const zoneOf = new Map((sites.data?.items ?? []).map((s) => [s.id, s.timezone]));
  const shownBy = (v: typeof form.values): Filters => Object.fromEntries(FILTERS.flatMap((k) => (v[k] ? [[k, v[k]]] : [])));
  const apply = form.onSubmit((v) => setParams(shownBy(v)));
  // The export is of the filters in the form: a change not yet applied is applied as it starts, so the
  // file and the list are of the same visits (it exported the last applied filters, not those shown).
  const exported = shownBy(form.values);
  const exportClicked = (e: MouseEvent) => {
    if (form.validate().hasErrors) return e.preventDefault();
    if (FILTERS.some((k) => (exported[k] ?? '') !== (filters[k] ?? ''))) setParams(exported);
  };
  return (
    <>
      <PageHeader title="History" description="Every sign-in, sign-out and rejected attempt. Days are each site's own (its time zone); the CSV gives times as the site's clock showed them.">
        <Button component="a" href={`/api/signin/visits/export.csv${query({ ...exported })}`} onClick={exportClicked} variant="light">
          Export CSV
        </Button>
      </PageHeader>
      <Card withBorder mb="md" component="form" onSubmit={apply}>
        <Group align="flex-end" wrap="wrap">
          <Select label="Site" clearable data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} {...form.getInputProps('siteId')} />
          <Select label="Group" clearable data={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))} {...form.getInputProps('groupId')} />
          <TextInput label="Person" {...form.getInputProps('person')} error={filterError('person')} />
          <TextInput label="From" type="date" {...form.getInputProps('from')} error={filterError('from')} />
          <TextInput label="To" type="date" {...form.getInputProps('to')} error={filterError('to')} />
          <Select
            label="Outcome"
            clearable
            data={[
              { value: 'signed_in', label: 'Signed in' },
              { value: 'rejected', label: 'Rejected' },
            ]}
            {...form.getInputProps('outcome')}
          />
          <Button type="submit">Apply</Button>
        </Group>
      </Card>
      {filtersRefused ? (
        <Text c="dimmed">No visits shown: correct the filter marked above, then Apply.</Text>
      ) : (
        <QueryState query={visits} empty="No visits match.">
          {(data) => (
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
                  {data.items.map((v) => (
                    <Table.Tr key={v.id}>
                      <Table.Td>
                        {v.personName}
                        {v.visitor?.company ? (
                          <Text span c="dimmed">
                            {' '}
                            ({v.visitor.company})
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{v.groupName}</Table.Td>
                      <Table.Td>{v.siteName}</Table.Td>
                      <Table.Td>{formatDateTime(v.signedInAt, zoneOf.get(v.siteId))}</Table.Td>
                      <Table.Td>{v.signedOutAt ? `${formatDateTime(v.signedOutAt, zoneOf.get(v.siteId))} (${v.signedOutBy})` : v.outcome === 'signed_in' ? 'On site' : '—'}</Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          <Badge color={v.outcome === 'rejected' ? 'red' : v.safetyStatus === 'notified' ? 'orange' : 'teal'}>
                            {v.outcome === 'rejected' ? 'Rejected' : v.safetyStatus === 'notified' ? 'Signed in, contacts told' : v.safetyStatus === 'skipped' ? 'Signed in (not checked)' : 'Signed in'}
                          </Badge>
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
          )}
        </QueryState>
      )}
      {visits.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button variant="default" loading={visits.isFetchingNextPage} onClick={() => void visits.fetchNextPage()}>
            Show more
          </Button>
        </Group>
      ) : null}
    </>
  );
}

import { Badge, Button, Card, Group, Select, Stack, Table, Title } from '@mantine/core';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, isUnreachable } from '../../api';
import { client, ok } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useCan, useMe } from '../../session';
import { registerOfflineShell, rememberSession } from '../../offline/session';
import { withSignInsSeenHere } from '../../offline/deviceSignIns';
import { onSiteQuery, rollCallsQuery, signinKeys, sitesQuery } from './queries';
import { loadOnSite, loadSites, saveOnSite, saveSites, startOffline } from './rollCallLive';
import { formatDateTime } from '../../format';

/** Start a fire roll call for a site; the open ones and the evacuation records. */
export default function RollCallList() {
  const list = useQuery(rollCallsQuery());
  const canStart = useCan('signin.operate');
  return (
    <>
      <PageHeader title="Fire roll call" description="Everyone on site in groups shown on the fire list. Marshals tick people safe from their phones; every device updates live." />
      <Stack gap="lg">
        {canStart ? <StartRollCall /> : null}
        <Card withBorder padding="lg" component="section" aria-labelledby="rc-title">
          <Title order={2} size="h4" mb="sm" id="rc-title">
            Roll calls
          </Title>
          <QueryState query={list} empty="No roll calls yet.">
            {(data) => (
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing="sm" aria-label="Roll calls">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Site</Table.Th>
                      <Table.Th>Started</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Safe</Table.Th>
                      <Table.Th>Unaccounted</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>
                          <Link to={`/signin/roll-calls/${r.id}`}>{r.siteName}</Link>
                        </Table.Td>
                        <Table.Td>{formatDateTime(r.startedAt, r.timezone)}</Table.Td>
                        <Table.Td>
                          <Badge color={r.status === 'open' ? 'red' : 'gray'}>{r.status === 'open' ? 'In progress' : 'Closed'}</Badge>
                        </Table.Td>
                        <Table.Td>{r.safe}</Table.Td>
                        <Table.Td>{r.unaccounted}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </QueryState>
        </Card>
      </Stack>
    </>
  );
}

/** At most this many sites' on-site lists are kept on the phone for starting a roll call offline. */
const KEEP_SITES = 20;


function StartRollCall() {
  const queryClient = useQueryClient();
  const sites = useQuery(sitesQuery());
  const [siteId, setSiteId] = useState<string | null>(null);
  const navigate = useNavigate();
  const me = useMe();
  // A marshal who can start a roll call can start one offline: this phone keeps the app, the
  // session, the sites and who is on site at each (refreshed each time this page opens online).
  useEffect(() => {
    registerOfflineShell();
    rememberSession(me);
  }, [me]);
  const items = sites.data?.items;
  useEffect(() => {
    if (items) saveSites(items);
  }, [items]);
  const onSite = useQueries({ queries: (items ?? []).slice(0, KEEP_SITES).map((s) => ({ ...onSiteQuery(s.id), refetchInterval: false as const, retry: false })) });
  const arrived = onSite.map((q) => q.dataUpdatedAt).join();
  useEffect(() => {
    for (const q of onSite) if (q.data) saveOnSite(q.data);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- saved each time a site's list arrives
  }, [arrived]);
  // Until the server answers (or when it cannot be reached), the sites this phone kept.
  const siteItems = items ?? loadSites() ?? [];
  const start = useMutation({
    // Works with no connection: the attempt is made (and fails fast) even when the browser says it is offline.
    networkMode: 'always',
    mutationFn: async (id: string): Promise<string> => {
      try {
        return (await ok(client.POST('/api/signin/sites/{siteId}/roll-calls', { params: { path: { siteId: id } }, body: {} }))).rollCall.id;
      } catch (err) {
        const kept = isUnreachable(err) ? loadOnSite(id) : null;
        // No connection: the roll call starts on this phone from its last list (plus the sign-ins it saw
        // offline as a paired kiosk of the site); sent when the server answers.
        if (kept) return startOffline(await withSignInsSeenHere(kept), me.user.name).rollCall.id;
        if (err instanceof ApiError && err.code === 'roll_call_open') {
          const open = await queryClient.fetchQuery({ ...rollCallsQuery(), staleTime: 0 });
          const current = open.items.find((r) => r.siteId === id && r.status === 'open');
          if (current) return current.id;
        }
        throw err;
      }
    },
    onSuccess: (id) => {
      void queryClient.invalidateQueries({ queryKey: signinKeys.rollCalls });
      void navigate(`/signin/roll-calls/${id}`);
    },
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="start-title">
      <Title order={2} size="h4" mb="sm" id="start-title">
        Start a roll call
      </Title>
      <FormError error={start.error} />
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Site"
          placeholder={sites.isPending && siteItems.length === 0 ? 'Loading…' : 'Choose a site'}
          data={siteItems.map((s) => ({ value: s.id, label: s.name }))}
          value={siteId}
          onChange={setSiteId}
          style={{ minWidth: 240 }}
        />
        <Button color="red" size="md" onClick={() => siteId && start.mutate(siteId)} loading={start.isPending} disabled={!siteId}>
          Start fire roll call
        </Button>
      </Group>
    </Card>
  );
}

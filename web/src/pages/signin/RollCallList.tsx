import { Badge, Button, Card, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { useCan, useMe } from '../../session';
import { registerOfflineShell, rememberSession } from '../../offline/session';
import { withSignInsSeenHere } from '../../offline/deviceSignIns';
import { loadOnSite, loadSites, saveOnSite, saveSites, startOffline, type OnSite, type RollCall, type RollCallView } from './rollCallLive';

type SiteItem = { id: string; name: string };

/** Start a fire roll call for a site; the open ones and the evacuation records. */
export default function RollCallList() {
  const list = useApi<{ items: RollCall[] }>('/api/signin/roll-calls');
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
          {list.loading && !list.data ? <LoadingState /> : null}
          {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
          {list.data && list.data.items.length === 0 ? <Text c="dimmed">No roll calls yet.</Text> : null}
          {list.data && list.data.items.length > 0 ? (
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
                  {list.data.items.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>
                        <Link to={`/signin/roll-calls/${r.id}`}>{r.siteName}</Link>
                      </Table.Td>
                      <Table.Td>{formatDateTime(r.startedAt)}</Table.Td>
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
          ) : null}
        </Card>
      </Stack>
    </>
  );
}

/** At most this many sites' on-site lists are kept on the phone for starting a roll call offline. */
const KEEP_SITES = 20;

function StartRollCall() {
  const sites = useApi<{ items: SiteItem[] }>('/api/signin/sites');
  const [siteId, setSiteId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const me = useMe();
  // A marshal who can start a roll call can start one offline: this phone keeps the app, the
  // session, the sites and who is on site at each (refreshed each time this page opens online).
  useEffect(() => {
    registerOfflineShell();
    rememberSession(me);
  }, [me]);
  useEffect(() => {
    const items = sites.data?.items;
    if (!items) return;
    saveSites(items);
    for (const s of items.slice(0, KEEP_SITES)) {
      api
        .get<OnSite>(`/api/signin/sites/${s.id}/on-site`)
        .then(saveOnSite)
        .catch(() => undefined);
    }
  }, [sites.data]);
  const siteItems = sites.data?.items ?? (sites.error ? (loadSites() ?? []) : []);
  const start = async () => {
    if (!siteId) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<RollCallView>(`/api/signin/sites/${siteId}/roll-calls`, {});
      void navigate(`/signin/roll-calls/${res.rollCall.id}`);
    } catch (err) {
      const kept = err instanceof ApiError && err.status === 0 ? loadOnSite(siteId) : null;
      if (kept) {
        // No connection: the roll call starts on this phone from its last list (plus the sign-ins it saw
        // offline as a paired kiosk of the site); sent when the server answers.
        const local = startOffline(await withSignInsSeenHere(kept), me.user.name);
        return void navigate(`/signin/roll-calls/${local.rollCall.id}`);
      }
      if (err instanceof ApiError && err.code === 'roll_call_open') {
        const open = await api.get<{ items: RollCall[] }>('/api/signin/roll-calls');
        const current = open.items.find((r) => r.siteId === siteId && r.status === 'open');
        if (current) return void navigate(`/signin/roll-calls/${current.id}`);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="start-title">
      <Title order={2} size="h4" mb="sm" id="start-title">
        Start a roll call
      </Title>
      <FormError error={error} />
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Site"
          placeholder={sites.loading ? 'Loading…' : 'Choose a site'}
          data={siteItems.map((s) => ({ value: s.id, label: s.name }))}
          value={siteId}
          onChange={setSiteId}
          style={{ minWidth: 240 }}
        />
        <Button color="red" size="md" onClick={() => void start()} loading={busy} disabled={!siteId}>
          Start fire roll call
        </Button>
      </Group>
    </Card>
  );
}

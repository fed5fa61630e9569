import { Badge, Button, Card, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { useCan } from '../../session';
import type { OnSite as OnSiteData, RollCallView } from './rollCallLive';

type SiteItem = { id: string; name: string };
const REFRESH_MS = 30_000;

/** Who is on a site now, per group, with manual sign-out and the fire roll call one tap away. */
export default function OnSite() {
  const sites = useApi<{ items: SiteItem[] }>('/api/signin/sites');
  const [siteId, setSiteId] = useState<string | null>(null);
  const chosen = siteId ?? sites.data?.items[0]?.id ?? null;
  const onSite = useApi<OnSiteData>(chosen ? `/api/signin/sites/${chosen}/on-site` : null);
  const canOperate = useCan('signin.operate');
  const [error, setError] = useState<unknown>(null);
  const navigate = useNavigate();
  const { reload } = onSite;

  useEffect(() => {
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);

  const startRollCall = async () => {
    if (!chosen) return;
    setError(null);
    try {
      const res = await api.post<RollCallView>(`/api/signin/sites/${chosen}/roll-calls`, {});
      void navigate(`/signin/roll-calls/${res.rollCall.id}`);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <PageHeader title="On site now" description="Who is signed in, per group. Refreshes every 30 seconds.">
        {onSite.data?.openRollCallId ? (
          <Button component={Link} to={`/signin/roll-calls/${onSite.data.openRollCallId}`} color="red">
            Open the roll call in progress
          </Button>
        ) : canOperate && chosen ? (
          <Button color="red" onClick={() => void startRollCall()}>
            Start fire roll call
          </Button>
        ) : null}
      </PageHeader>
      <Stack gap="lg">
        {sites.error ? <ErrorState error={sites.error} onRetry={sites.reload} /> : null}
        {sites.data && sites.data.items.length === 0 ? <Text c="dimmed">No sites yet.</Text> : null}
        {sites.data && sites.data.items.length > 1 ? (
          <Select label="Site" data={sites.data.items.map((s) => ({ value: s.id, label: s.name }))} value={chosen} onChange={setSiteId} maw={320} allowDeselect={false} />
        ) : null}
        <FormError error={error} />
        {onSite.loading && !onSite.data ? <LoadingState /> : null}
        {onSite.error ? <ErrorState error={onSite.error} onRetry={onSite.reload} /> : null}
        {onSite.data ? (
          <>
            <Text fw={600} data-testid="on-site-total">
              {onSite.data.total} {onSite.data.total === 1 ? 'person' : 'people'} on site at {onSite.data.site.name}
            </Text>
            {onSite.data.groups.map((g) => (
              <Card key={g.id} withBorder padding="md" component="section" aria-label={g.name} style={{ borderLeft: `6px solid ${g.colour}` }}>
                <Group justify="space-between" mb="xs">
                  <Title order={2} size="h4">
                    {g.name}
                  </Title>
                  <Group gap="xs">
                    {g.showOnFireList ? null : <Badge color="gray">not on the fire list</Badge>}
                    <Badge variant="light">{g.people.length}</Badge>
                  </Group>
                </Group>
                <Table verticalSpacing="xs" aria-label={`${g.name} on site`}>
                  <Table.Tbody>
                    {g.people.map((p) => (
                      <Table.Tr key={p.visitId}>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.personName}</Table.Td>
                        <Table.Td>
                          <Text size="sm" c="dimmed">
                            since {formatDateTime(p.signedInAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          {canOperate ? (
                            <ConfirmButton
                              size="xs"
                              variant="light"
                              aria-label={`Sign out ${p.personName}`}
                              title={`Sign out ${p.personName}?`}
                              message="They leave the on-site list and any roll call in progress shows them as signed out."
                              confirmLabel="Sign out"
                              onConfirm={async () => {
                                await api.post(`/api/signin/visits/${p.visitId}/sign-out`);
                                onSite.reload();
                              }}
                            >
                              Sign out
                            </ConfirmButton>
                          ) : null}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
            ))}
          </>
        ) : null}
      </Stack>
    </>
  );
}

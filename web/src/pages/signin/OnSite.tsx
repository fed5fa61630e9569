import { Badge, Button, Card, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { client, ok } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useCan } from '../../session';
import { onSiteQuery, signinKeys, sitesQuery } from './queries';
import { formatDateTime } from '../../format';

/** Who is on a site now, per group, with manual sign-out and the fire roll call one tap away. */
export default function OnSite() {
  const sites = useQuery(sitesQuery());
  // The site in the address (`?site=`, as the overview's rows link), else the first.
  const [params, setParams] = useSearchParams();
  const asked = params.get('site');
  const setSiteId = (id: string | null) => setParams(id ? { site: id } : {}, { replace: true });
  const chosen = (asked && sites.data?.items.some((s) => s.id === asked) ? asked : null) ?? sites.data?.items[0]?.id ?? null;
  const onSite = useQuery({ ...onSiteQuery(chosen ?? ''), enabled: chosen !== null });
  const canOperate = useCan('signin.operate');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const startRollCall = useMutation({
    mutationFn: (id: string) => ok(client.POST('/api/signin/sites/{siteId}/roll-calls', { params: { path: { siteId: id } }, body: {} })),
    onSuccess: (res) => void navigate(`/signin/roll-calls/${res.rollCall.id}`),
  });
  const signOut = useMutation({
    mutationFn: (visitId: string) => ok(client.POST('/api/signin/visits/{id}/sign-out', { params: { path: { id: visitId } } })),
    onSettled: () =>
      Promise.all([signinKeys.overview, signinKeys.visits, ...(chosen ? [signinKeys.onSite(chosen)] : [])].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });

  return (
    <>
      <PageHeader title="On site now" description="Who is signed in, per group. Refreshes every 30 seconds.">
        {onSite.data?.openRollCallId ? (
          <Button component={Link} to={`/signin/roll-calls/${onSite.data.openRollCallId}`} color="red">
            Open the roll call in progress
          </Button>
        ) : canOperate && chosen ? (
          <Button color="red" loading={startRollCall.isPending} onClick={() => startRollCall.mutate(chosen)}>
            Start fire roll call
          </Button>
        ) : null}
      </PageHeader>
      <Stack gap="lg">
        <QueryState query={sites} empty="No sites yet.">
          {(data) =>
            data.items.length > 1 ? (
              <Select label="Site" data={data.items.map((s) => ({ value: s.id, label: s.name }))} value={chosen} onChange={setSiteId} maw={320} allowDeselect={false} />
            ) : null
          }
        </QueryState>
        <FormError error={startRollCall.error} />
        {chosen ? (
          <QueryState query={onSite}>
            {(data) => (
              <>
                <Text fw={600} data-testid="on-site-total">
                  {data.total} {data.total === 1 ? 'person' : 'people'} on site at {data.site.name}
                </Text>
                {data.groups.map((g) => (
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
                                since {formatDateTime(p.signedInAt, data.site.timezone)}
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
                                  onConfirm={() => signOut.mutateAsync(p.visitId)}
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
            )}
          </QueryState>
        ) : null}
      </Stack>
    </>
  );
}

import { Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorState, LoadingState, PageHeader } from '../../components/common';
import { query } from '../../api';
import { AsOfPicker, useAsOf, withAsOf } from './AsOfPicker';
import { dashboardQuery } from './queries';
import { OrganisationPicker } from './RecordNav';
import { type Tally } from './recordApi';
import { formatDate } from '../../format';

/** Ready vs not ready per rating system as bars: an SVG, no chart library. */
function ReadyChart({ rows }: { rows: Array<{ label: string; tally: Tally }> }) {
  const W = 560;
  const H = 28;
  return (
    <svg role="img" aria-label="Ready and not ready per rating system" width="100%" viewBox={`0 0 ${W} ${rows.length * (H + 14) + 4}`}>
      {rows.map(({ label, tally }, i) => {
        const total = tally.ready + tally.notReady || 1;
        const w = ((W - 200) * tally.ready) / total;
        const y = i * (H + 14) + 2;
        return (
          <g key={label}>
            <text x={0} y={y + H / 2 + 5} fontSize={13}>
              {label}
            </text>
            <rect x={200} y={y} width={w} height={H} fill={tally.readyColour} />
            <rect x={200 + w} y={y} width={W - 200 - w} height={H} fill={tally.notReadyColour} opacity={0.85} />
            <text x={206} y={y + H / 2 + 5} fontSize={12} fill="#fff">
              {tally.ready} ready
            </text>
            <text x={W - 6} y={y + H / 2 + 5} fontSize={12} fill="#fff" textAnchor="end">
              {tally.notReady} not ready
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export default function Overview() {
  const [org, setOrg] = useState('');
  const [asOf, setAsOf] = useAsOf();
  const [window, setWindow] = useState('30');
  const d = useQuery(dashboardQuery({ organisationId: org || undefined, asOf: asOf || undefined }));
  const exportUrl = (format: string) => `/api/record/export${query({ format, organisationId: org, asOf })}`;
  const expiring = d.data?.expiring.items.filter((e) => e.inDays <= Number(window)) ?? [];
  return (
    <>
      <PageHeader title="Central Record" description="Who is ready for an inspector, who is not and why, and what runs out soon.">
        <Button component="a" href={exportUrl('xlsx')} download variant="filled">
          Export XLSX
        </Button>
        <Button component="a" href={exportUrl('csv')} download variant="light">
          Export CSV
        </Button>
        <Button component="a" href={exportUrl('html')} target="_blank" variant="subtle">
          Printable view
        </Button>
      </PageHeader>
      <Stack gap="lg">
        <Group align="flex-end">
          <OrganisationPicker value={org} onChange={setOrg} />
          <AsOfPicker value={asOf} onChange={setAsOf} />
          <Anchor component={Link} to={withAsOf('/record/profiles', asOf)}>
            All profiles
          </Anchor>
          <Anchor component={Link} to="/record/import">
            Import a spreadsheet
          </Anchor>
        </Group>
        {d.isPending ? <LoadingState /> : null}
        {d.isError ? <ErrorState error={d.error} onRetry={() => void d.refetch()} /> : null}
        {d.data ? (
          <>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  Readiness on {formatDate(d.data.asOf)} ({d.data.profiles} live profiles)
                </Title>
                <ReadyChart rows={d.data.ratings.map((t) => ({ label: t.name, tally: t }))} />
                {!org && d.data.organisations.length > 1 ? (
                  <>
                    <Text size="sm" fw={600} mt="sm">
                      Inspector ready per organisation
                    </Text>
                    <ReadyChart rows={d.data.organisations.filter((o) => o.ratings[0]).map((o) => ({ label: o.name, tally: o.ratings[0]! }))} />
                  </>
                ) : null}
              </Card>
              <Card withBorder>
                <Group justify="space-between" mb="xs">
                  <Title order={2} size="h4">
                    Expiring checks
                  </Title>
                  <Select
                    size="xs"
                    aria-label="Expiring within"
                    value={window}
                    onChange={(v) => setWindow(v ?? '30')}
                    data={[
                      { value: '30', label: `Next 30 days (${d.data.expiring.within30})` },
                      { value: '60', label: `Next 60 days (${d.data.expiring.within60})` },
                      { value: '90', label: `Next 90 days (${d.data.expiring.within90})` },
                    ]}
                  />
                </Group>
                {expiring.length === 0 ? <Text c="dimmed">Nothing runs out in this window.</Text> : null}
                <Table aria-label="Expiring checks">
                  <Table.Tbody>
                    {expiring.map((e) => (
                      <Table.Tr key={`${e.profileId}-${e.check}`}>
                        <Table.Td>
                          <Anchor component={Link} to={withAsOf(`/record/profiles/${e.profileId}`, asOf)}>
                            {e.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{e.check}</Table.Td>
                        <Table.Td>
                          {formatDate(e.expiresOn)} ({e.inDays} days)
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
            </SimpleGrid>
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                Not ready ({d.data.notReadyTotal})
              </Title>
              <Table aria-label="Profiles not ready">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Organisation</Table.Th>
                    <Table.Th>Why</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.notReady.map((n) => (
                    <Table.Tr key={n.id}>
                      <Table.Td>
                        <Anchor component={Link} to={withAsOf(`/record/profiles/${n.id}`, asOf)}>
                          {n.name}
                        </Anchor>
                        <Text size="xs" c="dimmed">
                          {n.profileType}
                        </Text>
                      </Table.Td>
                      <Table.Td>{n.organisation}</Table.Td>
                      <Table.Td>
                        {n.reasons.map((r) => (
                          <Text size="sm" key={r.system}>
                            <b>{r.system}:</b> {r.messages.join('; ')}
                          </Text>
                        ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          </>
        ) : null}
      </Stack>
    </>
  );
}

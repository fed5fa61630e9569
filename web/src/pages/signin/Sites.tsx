import { ActionIcon, Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { roleCan, useMe } from '../../session';
import type { Group as SigninGroup, KioskDevice, Site } from './signinApi';

const TIMEZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Europe/London'];

/** Sites: name, address, time zone, the groups shown on each (in order), and its kiosks. */
export default function Sites() {
  const me = useMe();
  const canManage = roleCan(me.user.role, 'signin.manage');
  const sites = useApi<{ items: Site[] }>('/api/signin/sites');
  const groups = useApi<{ items: SigninGroup[] }>('/api/signin/groups');
  return (
    <>
      <PageHeader title="Sites" description="Each site has its own kiosks and shows the groups you choose, in your order." />
      <Stack gap="lg">
        {canManage ? <CreateSite onCreated={sites.reload} /> : null}
        {sites.loading && !sites.data ? <LoadingState /> : null}
        {sites.error ? <ErrorState error={sites.error} onRetry={sites.reload} /> : null}
        {sites.data?.items.length === 0 ? <Text c="dimmed">No sites yet.</Text> : null}
        {sites.data?.items.map((s) => <SiteCard key={s.id} site={s} groups={groups.data?.items ?? []} canManage={canManage} onChange={sites.reload} />)}
      </Stack>
    </>
  );
}

function CreateSite({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', address: '', timezone: 'Europe/London' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/signin/sites', form);
      setForm({ name: '', address: '', timezone: form.timezone });
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="new-site">
      <Title order={2} size="h4" id="new-site" mb="sm">
        Add a site
      </Title>
      <Stack gap="sm">
        <FormError error={error} fields={['name', 'address', 'timezone']} />
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={fieldError(error, 'name')} />
          <TextInput label="Address" value={form.address} onChange={(e) => setForm({ ...form, address: e.currentTarget.value })} error={fieldError(error, 'address')} />
          <Select label="Time zone" searchable data={TIMEZONES} value={form.timezone} onChange={(v) => setForm({ ...form, timezone: v ?? 'Europe/London' })} error={fieldError(error, 'timezone')} />
        </Group>
        <Group>
          <Button type="submit" loading={busy}>
            Add site
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function SiteCard({ site, groups, canManage, onChange }: { site: Site; groups: SigninGroup[]; canManage: boolean; onChange: () => void }) {
  const [order, setOrder] = useState<string[]>(site.groups.map((g) => g.id));
  const [error, setError] = useState<unknown>(null);
  const [pairing, setPairing] = useState<{ code: string; expiresAt: string } | null>(null);
  const [showKiosks, setShowKiosks] = useState(false);
  const byId = new Map(groups.map((g) => [g.id, g]));
  const dirty = order.join() !== site.groups.map((g) => g.id).join();
  const move = (i: number, d: -1 | 1) => {
    const next = [...order];
    const [x] = next.splice(i, 1);
    next.splice(i + d, 0, x!);
    setOrder(next);
  };
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder component="section" aria-label={`Site ${site.name}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Title order={2} size="h4">
              {site.name}
            </Title>
            <Text size="sm" c="dimmed">
              {site.address || 'No address'} · {site.timezone}
            </Text>
          </div>
          {canManage ? (
            <Group gap="xs">
              <Button variant="light" onClick={() => void act(async () => setPairing(await api.post(`/api/signin/sites/${site.id}/kiosk-pairings`)))}>
                Pair a kiosk
              </Button>
              <Button variant="subtle" onClick={() => setShowKiosks((s) => !s)}>
                {showKiosks ? 'Hide kiosks' : 'Kiosks'}
              </Button>
            </Group>
          ) : null}
        </Group>
        {pairing ? (
          <Alert color="teal" title="Pairing code" withCloseButton onClose={() => setPairing(null)} closeButtonLabel="Dismiss">
            <Text>
              On the tablet, open <b>/kiosk</b> and type{' '}
              <Text span ff="monospace" fz="xl" fw={700} data-testid="pairing-code">
                {pairing.code}
              </Text>{' '}
              before {formatDateTime(pairing.expiresAt)}. It works once.
            </Text>
          </Alert>
        ) : null}
        <FormError error={error} />
        <Text fw={600}>Groups on this site</Text>
        {order.length === 0 ? <Text size="sm" c="dimmed">None yet.</Text> : null}
        {order.map((id, i) => (
          <Group key={id} gap="xs">
            <Badge color={byId.get(id)?.colour ?? 'gray'}>{byId.get(id)?.name ?? site.groups.find((g) => g.id === id)?.name ?? id}</Badge>
            {canManage ? (
              <>
                <ActionIcon variant="default" aria-label="Move up" disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </ActionIcon>
                <ActionIcon variant="default" aria-label="Move down" disabled={i === order.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </ActionIcon>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => setOrder(order.filter((x) => x !== id))}>
                  Remove
                </Button>
              </>
            ) : null}
          </Group>
        ))}
        {canManage ? (
          <Group>
            <Select
              placeholder="Add a group"
              data={groups.filter((g) => !order.includes(g.id) && !g.archived).map((g) => ({ value: g.id, label: g.name }))}
              value={null}
              onChange={(v) => v && setOrder([...order, v])}
              aria-label={`Add a group to ${site.name}`}
            />
            <Button disabled={!dirty} onClick={() => void act(async () => (await api.put(`/api/signin/sites/${site.id}/groups`, { groupIds: order }), onChange()))}>
              Save groups
            </Button>
          </Group>
        ) : null}
        {showKiosks ? <Kiosks siteId={site.id} /> : null}
      </Stack>
    </Card>
  );
}

function Kiosks({ siteId }: { siteId: string }) {
  const devices = useApi<{ items: KioskDevice[] }>(`/api/signin/sites/${siteId}/kiosks`);
  if (devices.error) return <ErrorState error={devices.error} onRetry={devices.reload} />;
  if (!devices.data) return <LoadingState />;
  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Kiosk</Table.Th>
          <Table.Th>Paired</Table.Th>
          <Table.Th>Last seen</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {devices.data.items.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>
              {d.name || d.prefix} {d.revoked ? <Badge color="gray">revoked</Badge> : null}
            </Table.Td>
            <Table.Td>{formatDateTime(d.createdAt)}</Table.Td>
            <Table.Td>{formatDateTime(d.lastSeenAt)}</Table.Td>
            <Table.Td>
              {!d.revoked ? (
                <ConfirmButton size="xs" color="red" variant="light" title="Revoke this kiosk?" message="It stops working at once and must be paired again." confirmLabel="Revoke" onConfirm={async () => (await api.post(`/api/signin/kiosks/${d.id}/revoke`), devices.reload())}>
                  Revoke
                </ConfirmButton>
              ) : null}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}


import { ActionIcon, Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DuplicateNameNote, sameName } from '../../components/DuplicateNameNote';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { userCan, useMe, useTenantWide } from '../../session';
import { archivedSitesQuery, groupsQuery, siteKiosksQuery, signinKeys, sitesQuery } from './queries';
import { formatDateTime } from '../../format';

const TIMEZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Europe/London'];

type Site = Answer<'/api/signin/sites'>['items'][number];
type SigninGroup = Answer<'/api/signin/groups'>['items'][number];

/** Sites: name, address, time zone, the groups shown on each (in order), and its kiosks. */
export default function Sites() {
  const me = useMe();
  const canManage = userCan(me.user, 'signin.manage');
  const tenantWide = useTenantWide();
  const sites = useQuery(sitesQuery());
  const groups = useQuery(groupsQuery());
  const [showArchived, setShowArchived] = useState(false);
  return (
    <>
      <PageHeader title="Sites" description="Each site has its own kiosks and shows the groups you choose, in your order." />
      <Stack gap="lg">
        {/* The trust's sites are added by its central team (the server refuses anyone scoped). */}
        {canManage && tenantWide ? <CreateSite existing={sites.data?.items ?? []} /> : null}
        <QueryState query={sites} empty="No sites yet.">
          {(data) => data.items.map((s) => <SiteCard key={s.id} site={s} groups={groups.data?.items ?? []} canManage={canManage} />)}
        </QueryState>
        <Switch label="Show archived sites" checked={showArchived} onChange={(e) => setShowArchived(e.currentTarget.checked)} />
        {showArchived ? <ArchivedSites canRestore={canManage && tenantWide} /> : null}
      </Stack>
    </>
  );
}

/** Archived sites, seen again and (by the trust's central team, as archive) restored. */
function ArchivedSites({ canRestore }: { canRestore: boolean }) {
  const queryClient = useQueryClient();
  const archived = useQuery(archivedSitesQuery());
  const restore = useMutation({
    mutationFn: (id: string) => ok(client.POST('/api/signin/sites/{id}/restore', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: signinKeys.sites }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="archived-sites">
      <Title order={2} size="h4" id="archived-sites" mb="sm">
        Archived sites
      </Title>
      <FormError error={restore.error} />
      <QueryState query={archived} empty="No archived sites.">
        {(data) => (
          <Table aria-labelledby="archived-sites">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Site</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{s.name}</Table.Td>
                  <Table.Td>{s.address || 'No address'}</Table.Td>
                  <Table.Td>
                    {canRestore ? (
                      <Button size="xs" variant="light" aria-label={`Restore ${s.name}`} loading={restore.isPending && restore.variables === s.id} onClick={() => restore.mutate(s.id)}>
                        Restore
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Card>
  );
}

function CreateSite({ existing }: { existing: readonly Site[] }) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { name: '', address: '', timezone: 'Europe/London' } });
  const submit = useFormSubmit(form, {
    mutationFn: (body) => ok(client.POST('/api/signin/sites', { body })),
    onSuccess: () => {
      form.setValues({ name: '', address: '' });
      return queryClient.invalidateQueries({ queryKey: signinKeys.sites });
    },
  });
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="new-site">
      <Title order={2} size="h4" id="new-site" mb="sm">
        Add a site
      </Title>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <SiteFields form={form} />
        <DuplicateNameNote what="site" match={sameName(form.getValues().name, existing)} />
        <Group>
          <Button type="submit" loading={submit.busy}>
            Add site
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

type SiteValues = { name: string; address: string; timezone: string };

/** Name, address and time zone: side by side, one under another on a phone. */
function SiteFields({ form }: { form: UseFormReturnType<SiteValues> }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
      <TextInput label="Name" required {...form.getInputProps('name')} />
      <TextInput label="Address" {...form.getInputProps('address')} />
      <Select label="Time zone" searchable allowDeselect={false} data={TIMEZONES} {...form.getInputProps('timezone')} />
    </SimpleGrid>
  );
}

/** A site's name, address and time zone changed in place (a typo in a name is not for ever). */
function EditSite({ site, onDone }: { site: Site; onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm<SiteValues>({ initialValues: { name: site.name, address: site.address ?? '', timezone: site.timezone } });
  const submit = useFormSubmit(form, {
    mutationFn: (body) => ok(client.PATCH('/api/signin/sites/{id}', { params: { path: { id: site.id } }, body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: signinKeys.sites });
      onDone();
    },
  });
  return (
    <form onSubmit={submit.onSubmit} noValidate aria-label={`Edit site ${site.name}`}>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <SiteFields form={form} />
        <Group gap="xs">
          <Button type="submit" loading={submit.busy}>
            Save site
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SiteCard({ site, groups, canManage }: { site: Site; groups: SigninGroup[]; canManage: boolean }) {
  const tenantWide = useTenantWide();
  const [editing, setEditing] = useState(false);
  const archive = useMutation({
    mutationFn: () => ok(client.POST('/api/signin/sites/{id}/archive', { params: { path: { id: site.id } } })),
  });
  const queryClient = useQueryClient();
  const [showKiosks, setShowKiosks] = useState(false);
  // The site's groups, in order: a list field edited in place and saved as one PUT.
  const form = useForm({ initialValues: { groupIds: site.groups.map((g) => g.id) } });
  const order = form.getValues().groupIds;
  const save = useFormSubmit(form, {
    mutationFn: (body) => ok(client.PUT('/api/signin/sites/{id}/groups', { params: { path: { id: site.id } }, body })),
    onSuccess: () => {
      form.resetDirty();
      return queryClient.invalidateQueries({ queryKey: signinKeys.sites });
    },
  });
  const pair = useMutation({ mutationFn: () => ok(client.POST('/api/signin/sites/{id}/kiosk-pairings', { params: { path: { id: site.id } } })) });
  const byId = new Map(groups.map((g) => [g.id, g]));
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
              <Button variant="light" loading={pair.isPending} onClick={() => pair.mutate()}>
                Pair a kiosk
              </Button>
              <Button variant="subtle" onClick={() => setShowKiosks((s) => !s)}>
                {showKiosks ? 'Hide kiosks' : 'Kiosks'}
              </Button>
              <Button variant="subtle" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
                Edit
              </Button>
              {/* Archived by the trust's central team only (the server refuses anyone scoped). */}
              {tenantWide ? (
                <ConfirmButton
                  variant="subtle"
                  color="red"
                  title={`Archive ${site.name}?`}
                  message="It leaves the lists and no kiosk can be paired to it any more; its visit history is kept."
                  confirmLabel="Archive site"
                  onConfirm={async () => {
                    await archive.mutateAsync();
                    await queryClient.invalidateQueries({ queryKey: signinKeys.sites });
                  }}
                >
                  Archive
                </ConfirmButton>
              ) : null}
            </Group>
          ) : null}
        </Group>
        {editing ? <EditSite site={site} onDone={() => setEditing(false)} /> : null}
        {pair.data ? (
          <Alert color="teal" title="Pairing code" withCloseButton onClose={() => pair.reset()} closeButtonLabel="Dismiss">
            <Text>
              On the tablet, open <b data-testid="kiosk-address">{`${window.location.origin}/kiosk`}</b> and type{' '}
              <Text span ff="monospace" fz="xl" fw={700} data-testid="pairing-code">
                {pair.data.code}
              </Text>{' '}
              before {formatDateTime(pair.data.expiresAt, site.timezone)}. It works once.
            </Text>
          </Alert>
        ) : null}
        <FormError error={pair.error} />
        <FormError error={save.formError} />
        <form onSubmit={save.onSubmit}>
          <Stack gap="sm">
            <Text fw={600}>Groups on this site</Text>
            {order.length === 0 ? (
              <Text size="sm" c="dimmed">
                None yet.
              </Text>
            ) : null}
            {order.map((id, i) => (
              <Group key={id} gap="xs">
                <Badge color={byId.get(id)?.colour ?? 'gray'}>{byId.get(id)?.name ?? site.groups.find((g) => g.id === id)?.name ?? id}</Badge>
                {canManage ? (
                  <>
                    <ActionIcon variant="default" aria-label="Move up" disabled={i === 0} onClick={() => form.reorderListItem('groupIds', { from: i, to: i - 1 })}>
                      ↑
                    </ActionIcon>
                    <ActionIcon variant="default" aria-label="Move down" disabled={i === order.length - 1} onClick={() => form.reorderListItem('groupIds', { from: i, to: i + 1 })}>
                      ↓
                    </ActionIcon>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => form.removeListItem('groupIds', i)}>
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
                  onChange={(v) => v && form.insertListItem('groupIds', v)}
                  aria-label={`Add a group to ${site.name}`}
                />
                <Button type="submit" disabled={!form.isDirty()} loading={save.busy}>
                  Save groups
                </Button>
              </Group>
            ) : null}
          </Stack>
        </form>
        {showKiosks ? <Kiosks siteId={site.id} timeZone={site.timezone} /> : null}
      </Stack>
    </Card>
  );
}

/** A site's paired kiosks; their times on the site's clock (`timeZone`), like the kiosks themselves show. */
function Kiosks({ siteId, timeZone }: { siteId: string; timeZone: string }) {
  const queryClient = useQueryClient();
  const devices = useQuery(siteKiosksQuery(siteId));
  const revoke = useMutation({
    mutationFn: (id: string) => ok(client.POST('/api/signin/kiosks/{id}/revoke', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: signinKeys.siteKiosks(siteId) }),
  });
  return (
    <QueryState query={devices} empty="No kiosks paired yet.">
      {(data) => (
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
            {data.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  {d.name || d.prefix} {d.revoked ? <Badge color="gray">revoked</Badge> : null}
                </Table.Td>
                <Table.Td>{formatDateTime(d.createdAt, timeZone)}</Table.Td>
                <Table.Td>{formatDateTime(d.lastSeenAt, timeZone)}</Table.Td>
                <Table.Td>
                  {!d.revoked ? (
                    <ConfirmButton size="xs" color="red" variant="light" title="Revoke this kiosk?" message="It stops working at once and must be paired again." confirmLabel="Revoke" onConfirm={() => revoke.mutateAsync(d.id)}>
                      Revoke
                    </ConfirmButton>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </QueryState>
  );
}

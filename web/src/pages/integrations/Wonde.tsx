import { Alert, Button, Card, Group, MultiSelect, PasswordInput, SegmentedControl, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer, type Body } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { WONDE_SOURCE_PATHS } from '../../../../src/common/wonde-sources';
import { organisationsQuery, profileTypesQuery } from '../record/queries';
import { RunProgress } from './RunProgress';
import { SyncLogTable } from './SyncLog';
import { integrationKeys, runFinished, runQuery, syncLogQuery, wondeQuery } from './queries';
import { formatDateTime } from '../../format';

type Connection = NonNullable<Answer<'/api/integration/organisations/{organisationId}/wonde'>['connection']>;
type ConnectionBody = Body<'/api/integration/organisations/{organisationId}/wonde', 'put'>;
type Mapping = NonNullable<ConnectionBody['mapping']>;
type Source = NonNullable<Mapping['fields']>[string][number];

const TARGETS: Array<[string, string]> = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['role', 'Role'],
  ['startDate', 'Start date'],
  ['endDate', 'Leaving date'],
  ['dateOfBirth', 'Date of birth'],
  ['externalId', 'External id (matching)'],
];
/** The Wonde employee fields the server reads (the one list, src/common). */
const SOURCES: readonly Source[] = WONDE_SOURCE_PATHS;

/** "Use the Wonde connection" per organisation: school id, token (write only), field mapping, sync now, last sync log. */
export default function Wonde() {
  const orgs = useQuery(organisationsQuery());
  const [chosen, setOrgId] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Wonde" description="Wonde shares your MIS's staff data. With the connection on, staff are synced into the Central Record every hour (only what changed), matched by UPI; pre-start profiles made by hand are matched when the person appears." />
      <QueryState query={orgs}>
        {(data) => {
          const orgId = chosen ?? data.items[0]?.id ?? null;
          return (
            <Stack>
              <Select label="Organisation" data={data.items.map((o) => ({ value: o.id, label: o.name }))} value={orgId} onChange={setOrgId} w={320} />
              {orgId ? <ConnectionPanel key={orgId} organisationId={orgId} /> : null}
            </Stack>
          );
        }}
      </QueryState>
    </>
  );
}

function ConnectionPanel({ organisationId }: { organisationId: string }) {
  const conn = useQuery(wondeQuery(organisationId));
  return <QueryState query={conn}>{(data) => <ConnectionForm organisationId={organisationId} c={data.connection} />}</QueryState>;
}

function ConnectionForm({ organisationId, c }: { organisationId: string; c: Connection | null }) {
  const queryClient = useQueryClient();
  const types = useQuery(profileTypesQuery());
  const form = useForm<{ schoolId: string; token: string; authMode: 'bearer' | 'basic'; enabled: boolean; mapping: Mapping }>({
    initialValues: { schoolId: c?.schoolId ?? '', token: '', authMode: c?.authMode ?? 'bearer', enabled: c?.enabled ?? true, mapping: (c?.mapping ?? {}) as Mapping },
  });
  const path = { params: { path: { organisationId } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: integrationKeys.wonde(organisationId) });
  const submit = useFormSubmit(form, {
    mutationFn: ({ token, ...v }) => ok(client.PUT('/api/integration/organisations/{organisationId}/wonde', { ...path, body: { ...v, token: token || undefined } })),
    onSuccess: () => {
      form.setFieldValue('token', '');
      return refresh();
    },
  });
  const sync = useMutation({ mutationFn: () => ok(client.POST('/api/integration/organisations/{organisationId}/wonde/sync', path)) });
  // The log of the run started here (else the connection's last run), read again while the run
  // goes, so it fills in as people are made, and once more when it ends (onFinished below).
  const started = useQuery({ ...runQuery(sync.data?.id ?? ''), enabled: Boolean(sync.data) });
  const runId = sync.data?.id ?? c?.lastRunId ?? undefined;
  const running = Boolean(sync.data) && !runFinished(started.data?.status);
  const log = useQuery({ ...syncLogQuery({ runId }), enabled: Boolean(runId), refetchInterval: running ? 1_500 : false });
  const { schoolId, token, mapping } = form.getValues();
  const setMapping = (m: Mapping) => form.setFieldValue('mapping', m);
  const typeData = (types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }));
  return (
    <Stack>
      <Card withBorder maw={760} component="form" onSubmit={submit.onSubmit} noValidate>
        <Stack>
          <Switch label="Use the Wonde connection" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Group align="flex-end">
            <TextInput label="Wonde school id" {...form.getInputProps('schoolId')} w={240} />
            <PasswordInput
              label="API token"
              description={c?.hasToken ? 'A token is saved; it is never shown. Type a new one to replace it.' : 'Shown once by Wonde; stored encrypted.'}
              {...form.getInputProps('token')}
              w={320}
              autoComplete="off"
            />
            <SegmentedControl aria-label="Authentication" {...form.getInputProps('authMode')} data={[{ value: 'bearer', label: 'Bearer' }, { value: 'basic', label: 'Basic' }]} />
          </Group>
          <Title order={3} size="h5">
            Field mapping
          </Title>
          <Text size="xs" c="dimmed">
            For each profile field, the Wonde employee fields to read, first non-empty wins. Leave empty for the default.
          </Text>
          <Table>
            <Table.Tbody>
              {TARGETS.map(([field, label]) => (
                <Table.Tr key={field}>
                  <Table.Td w={200}>{label}</Table.Td>
                  <Table.Td>
                    <MultiSelect
                      aria-label={`Wonde fields for ${label}`}
                      placeholder="Default"
                      data={SOURCES}
                      value={mapping.fields?.[field] ?? []}
                      onChange={(v) => {
                        const fields = { ...(mapping.fields ?? {}) };
                        if (v.length) fields[field] = (v as Source[]).slice(0, 5);
                        else delete fields[field];
                        setMapping({ ...mapping, fields });
                      }}
                      searchable
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Select label="Teaching staff become" placeholder="Teaching Staff" data={typeData} value={mapping.teachingProfileTypeId ?? null} onChange={(v) => setMapping({ ...mapping, teachingProfileTypeId: v })} clearable w={240} />
            <Select label="Other staff become" placeholder="Support Staff" data={typeData} value={mapping.supportProfileTypeId ?? null} onChange={(v) => setMapping({ ...mapping, supportProfileTypeId: v })} clearable w={240} />
          </Group>
          <FormError error={submit.formError ?? sync.error} />
          {submit.done ? (
            <Text c="teal.9" size="sm" role="status">
              Saved.
            </Text>
          ) : null}
          <Group>
            <Button type="submit" loading={submit.busy} disabled={!schoolId || (!c?.hasToken && !token)}>
              Save connection
            </Button>
            <Button variant="light" loading={sync.isPending} onClick={() => sync.mutate()} disabled={!c || !c.enabled}>
              Sync now
            </Button>
          </Group>
        </Stack>
      </Card>
      {sync.data ? (
        <RunProgress
          run={sync.data}
          // The connection (its last run and error) and the sync log: the log of this run may have
          // been read while it was still writing it (the connection names the run from its start).
          onFinished={() => void Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: integrationKeys.syncLog })])}
        />
      ) : null}
      {c ? (
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">
            Last sync {c.lastSyncedAt ? `(${formatDateTime(c.lastSyncedAt)})` : ''}
          </Title>
          {c.lastError ? (
            <Alert color="red" mb="sm" title="The last run failed">
              {c.lastError}
            </Alert>
          ) : null}
          {log.data ? <SyncLogTable items={log.data.items} /> : <Text c="dimmed">No run yet.</Text>}
        </Card>
      ) : null}
    </Stack>
  );
}

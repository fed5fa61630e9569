import { Alert, Button, Card, Group, MultiSelect, PasswordInput, SegmentedControl, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, query } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import { SyncLogTable } from './SyncLog';
import type { Run, SyncLogEntry, WondeConnection } from './integrationApi';

type Org = { id: string; name: string };
type ProfileType = { id: string; name: string };
type Mapping = { fields?: Record<string, string[]>; teachingProfileTypeId?: string | null; supportProfileTypeId?: string | null; currentOnly?: boolean };

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
const SOURCES = [
  'forename',
  'surname',
  'legal_forename',
  'legal_surname',
  'title',
  'initials',
  'date_of_birth',
  'upi',
  'mis_id',
  'contact_details.data.emails.email',
  'contact_details.data.emails.primary',
  'contact_details.data.emails.work',
  'contact_details.data.emails.home',
  'contact_details.data.phones.phone',
  'contact_details.data.phones.primary',
  'contact_details.data.phones.mobile',
  'contact_details.data.phones.work',
  'contact_details.data.phones.home',
  'employment_details.data.job_title',
  'employment_details.data.role',
  'employment_details.data.staff_code',
  'employment_details.data.employment_start_date',
  'employment_details.data.employment_end_date',
];

/** "Use the Wonde connection" per organisation: school id, token (write only), field mapping, sync now, last sync log. */
export default function Wonde() {
  const orgs = useApi<{ items: Org[] }>('/api/record/organisations');
  const [orgId, setOrgId] = useState<string | null>(null);
  useEffect(() => {
    if (!orgId && orgs.data?.items[0]) setOrgId(orgs.data.items[0].id);
  }, [orgs.data, orgId]);
  if (orgs.loading && !orgs.data) return <LoadingState />;
  if (orgs.error) return <ErrorState error={orgs.error} onRetry={orgs.reload} />;
  return (
    <>
      <PageHeader title="Wonde" description="Wonde shares your MIS's staff data. With the connection on, staff are synced into the Central Record every hour (only what changed), matched by UPI; pre-start profiles made by hand are matched when the person appears." />
      <Stack>
        <Select label="Organisation" data={orgs.data!.items.map((o) => ({ value: o.id, label: o.name }))} value={orgId} onChange={setOrgId} w={320} />
        {orgId ? <Connection key={orgId} organisationId={orgId} /> : null}
      </Stack>
    </>
  );
}

function Connection({ organisationId }: { organisationId: string }) {
  const conn = useApi<{ connection: WondeConnection | null }>(`/api/integration/organisations/${organisationId}/wonde`);
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const [schoolId, setSchoolId] = useState('');
  const [token, setToken] = useState('');
  const [authMode, setAuthMode] = useState<'bearer' | 'basic'>('bearer');
  const [enabled, setEnabled] = useState(true);
  const [mapping, setMapping] = useState<Mapping>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const c = conn.data?.connection ?? null;
  const log = useApi<{ items: SyncLogEntry[] }>(c?.lastRunId ? `/api/integration/sync-log${query({ runId: c.lastRunId })}` : null);
  useEffect(() => {
    if (!c) return;
    setSchoolId(c.schoolId);
    setAuthMode(c.authMode);
    setEnabled(c.enabled);
    setMapping(c.mapping as Mapping);
  }, [c]);
  if (conn.loading && !conn.data) return <LoadingState />;
  if (conn.error) return <ErrorState error={conn.error} onRetry={conn.reload} />;
  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      await api.put(`/api/integration/organisations/${organisationId}/wonde`, { schoolId, token: token || undefined, authMode, enabled, mapping });
      setToken('');
      setSaved(true);
      conn.reload();
    } catch (err) {
      setError(err);
    }
  };
  const sync = async () => {
    setError(null);
    try {
      setRun(await api.post<Run>(`/api/integration/organisations/${organisationId}/wonde/sync`));
    } catch (err) {
      setError(err);
    }
  };
  const typeData = (types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }));
  return (
    <Stack>
      <Card withBorder maw={760}>
        <Stack>
          <Switch label="Use the Wonde connection" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <Group align="flex-end">
            <TextInput label="Wonde school id" value={schoolId} onChange={(e) => setSchoolId(e.currentTarget.value)} error={fieldError(error, 'schoolId')} w={240} />
            <PasswordInput
              label="API token"
              description={c?.hasToken ? 'A token is saved; it is never shown. Type a new one to replace it.' : 'Shown once by Wonde; stored encrypted.'}
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              error={fieldError(error, 'token')}
              w={320}
              autoComplete="off"
            />
            <SegmentedControl aria-label="Authentication" value={authMode} onChange={(v) => setAuthMode(v as 'bearer' | 'basic')} data={[{ value: 'bearer', label: 'Bearer' }, { value: 'basic', label: 'Basic' }]} />
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
                        if (v.length) fields[field] = v.slice(0, 5);
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
          <FormError error={error} fields={['schoolId', 'token']} />
          {saved ? (
            <Text c="green" size="sm" role="status">
              Saved.
            </Text>
          ) : null}
          <Group>
            <Button onClick={() => void save()} disabled={!schoolId || (!c?.hasToken && !token)}>
              Save connection
            </Button>
            <Button variant="light" onClick={() => void sync()} disabled={!c || !c.enabled}>
              Sync now
            </Button>
          </Group>
        </Stack>
      </Card>
      {run ? <RunProgress run={run} onFinished={() => conn.reload()} /> : null}
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

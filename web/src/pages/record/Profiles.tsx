import { Anchor, Button, Card, Collapse, Group, Modal, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, query } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { useCan } from '../../session';
import { ConditionBuilder } from './ConditionBuilder';
import { OrganisationPicker, RatingBadges } from './RecordNav';
import { ukDate, type ConditionGroup, type FieldInfo, type Profile, type ProfileSummary, type ProfileType } from './recordApi';

export default function Profiles() {
  const [org, setOrg] = useState('');
  const [type, setType] = useState('');
  const [status, setStatus] = useState('live');
  const [q, setQ] = useState('');
  const [ready, setReady] = useState('');
  const [showCondition, setShowCondition] = useState(false);
  const [condition, setCondition] = useState<ConditionGroup>({ op: 'and', conditions: [] });
  const [applied, setApplied] = useState<string>('');
  const [adding, setAdding] = useState(false);
  const canEdit = useCan('record.edit');
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const fields = useApi<{ items: FieldInfo[] }>(showCondition ? '/api/record/fields' : null);
  const list = useApi<{ total: number; items: ProfileSummary[] }>(`/api/record/profiles${query({ organisationId: org, profileTypeId: type, status, q, ready, condition: applied, limit: 500 })}`);
  const exportUrl = (format: string) => `/api/record/export${query({ format, organisationId: org, profileTypeIds: type, condition: applied })}`;
  return (
    <>
      <PageHeader title="Profiles" description="Everyone on the single central record, with their ratings.">
        {canEdit ? <Button onClick={() => setAdding(true)}>Add profile</Button> : null}
        <Button component="a" href={exportUrl('xlsx')} download variant="light">
          Export XLSX
        </Button>
        <Button component="a" href={exportUrl('csv')} download variant="subtle">
          Export CSV
        </Button>
      </PageHeader>
      <Stack gap="md">
        <Group align="flex-end" wrap="wrap">
          <OrganisationPicker value={org} onChange={setOrg} />
          <NativeSelect label="Profile type" value={type} onChange={(e) => setType(e.currentTarget.value)} data={[{ value: '', label: 'All types' }, ...(types.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))]} />
          <NativeSelect label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value)} data={[{ value: 'live', label: 'Live' }, { value: 'archived', label: 'Archived (leavers)' }]} />
          <NativeSelect label="Ready" value={ready} onChange={(e) => setReady(e.currentTarget.value)} data={[{ value: '', label: 'Everyone' }, { value: 'true', label: 'Ready (every mandatory rating)' }, { value: 'false', label: 'Not ready' }]} />
          <TextInput label="Search" value={q} onChange={(e) => setQ(e.currentTarget.value)} placeholder="Name, role, email" />
          <Button variant="subtle" onClick={() => setShowCondition((s) => !s)}>
            {showCondition ? 'Hide filter' : 'Filter by condition'}
          </Button>
        </Group>
        <Collapse in={showCondition}>
          {fields.data ? (
            <Stack gap="xs">
              <ConditionBuilder value={condition} onChange={setCondition} fields={fields.data.items} />
              <Group>
                <Button size="xs" onClick={() => setApplied(condition.conditions.length ? JSON.stringify(condition) : '')}>
                  Apply filter
                </Button>
                <Button size="xs" variant="subtle" onClick={() => { setCondition({ op: 'and', conditions: [] }); setApplied(''); }}>
                  Clear
                </Button>
              </Group>
            </Stack>
          ) : null}
        </Collapse>
        {list.loading && !list.data ? <LoadingState /> : null}
        {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
        {list.data ? (
          <Card withBorder p={0}>
            <Table striped highlightOnHover aria-label="Profiles">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Profile type</Table.Th>
                  <Table.Th>Organisation</Table.Th>
                  <Table.Th>Start</Table.Th>
                  <Table.Th>Ratings</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/record/profiles/${p.id}`}>
                        {p.lastName}, {p.firstName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{p.role}</Table.Td>
                    <Table.Td>{p.profileType}</Table.Td>
                    <Table.Td>{p.organisationName}</Table.Td>
                    <Table.Td>{ukDate(p.startDate)}</Table.Td>
                    <Table.Td>
                      <RatingBadges ratings={p.ratings} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {list.data.items.length === 0 ? (
              <Text c="dimmed" p="md">
                No profiles match.
              </Text>
            ) : null}
          </Card>
        ) : null}
      </Stack>
      <AddProfile opened={adding} onClose={() => setAdding(false)} types={types.data?.items ?? []} />
    </>
  );
}

function AddProfile({ opened, onClose, types }: { opened: boolean; onClose: () => void; types: ProfileType[] }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ organisationId: '', profileTypeId: '', firstName: '', lastName: '', role: '', email: '', startDate: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api.post<Profile>('/api/record/profiles', { ...form, startDate: form.startDate || null });
      onClose();
      void navigate(`/record/profiles/${made.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fields = ['organisationId', 'profileTypeId', 'firstName', 'lastName', 'role', 'email', 'startDate'];
  return (
    <Modal opened={opened} onClose={onClose} title="Add profile">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <FormError error={error} fields={fields} />
          <OrganisationPicker value={form.organisationId} onChange={set('organisationId')} allowAll={false} />
          <NativeSelect label="Profile type" required value={form.profileTypeId} onChange={(e) => set('profileTypeId')(e.currentTarget.value)} data={[{ value: '', label: 'Choose…' }, ...types.filter((t) => !t.retired).map((t) => ({ value: t.id, label: t.name }))]} error={fieldError(error, 'profileTypeId')} />
          <TextInput label="First name" required value={form.firstName} onChange={(e) => set('firstName')(e.currentTarget.value)} error={fieldError(error, 'firstName')} />
          <TextInput label="Last name" required value={form.lastName} onChange={(e) => set('lastName')(e.currentTarget.value)} error={fieldError(error, 'lastName')} />
          <TextInput label="Role" value={form.role} onChange={(e) => set('role')(e.currentTarget.value)} />
          <TextInput label="Email" type="email" value={form.email} onChange={(e) => set('email')(e.currentTarget.value)} />
          <TextInput label="Start date" type="date" value={form.startDate} onChange={(e) => set('startDate')(e.currentTarget.value)} error={fieldError(error, 'startDate')} />
          <Group justify="flex-end">
            <Button type="submit" loading={busy}>
              Create profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

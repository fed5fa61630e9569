import { Anchor, Button, Card, Group, Modal, NativeSelect, Stack, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { query } from '../../api';
import { client, ok, type Answer } from '../../api/client';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { useCan } from '../../session';
import { AsOfPicker, useAsOf, withAsOf } from './AsOfPicker';
import { ConditionBuilder } from './ConditionBuilder';
import { fieldsQuery, profileTypesQuery, recordKeys } from './queries';
import { OrganisationPicker, RatingBadges } from './RecordNav';
import { type ConditionGroup } from './recordApi';
import { formatDate } from '../../format';

type ProfileType = Answer<'/api/record/profile-types'>['items'][number];
const NO_CONDITION: ConditionGroup = { op: 'and', conditions: [] };

export default function Profiles() {
  const [org, setOrg] = useState('');
  const [type, setType] = useState('');
  const [status, setStatus] = useState<'live' | 'archived'>('live');
  const [q, setQ] = useState('');
  const [ready, setReady] = useState('');
  const [showCondition, setShowCondition] = useState(false);
  const [condition, setCondition] = useState<ConditionGroup>(NO_CONDITION);
  const [applied, setApplied] = useState<string>('');
  const [adding, setAdding] = useState(false);
  const [asOf, setAsOf] = useAsOf();
  const canEdit = useCan('record.edit');
  const types = useQuery(profileTypesQuery());
  const fields = useQuery({ ...fieldsQuery(), enabled: showCondition });
  const filters = {
    organisationId: org || undefined,
    profileTypeId: type || undefined,
    status,
    q: q.trim() || undefined,
    ready: ready === 'true' || ready === 'false' ? ready : undefined,
    condition: applied || undefined,
    asOf: asOf || undefined,
    limit: 500,
  } as const;
  const list = useQuery({
    queryKey: [...recordKeys.profiles, filters],
    queryFn: () => ok(client.GET('/api/record/profiles', { params: { query: filters } })),
    placeholderData: keepPreviousData,
  });
  const exportUrl = (format: string) => `/api/record/export${query({ format, organisationId: org, profileTypeIds: type, condition: applied, asOf })}`;
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
          <NativeSelect
            label="Status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value === 'archived' ? 'archived' : 'live')}
            data={[
              { value: 'live', label: 'Live' },
              { value: 'archived', label: 'Archived (leavers)' },
            ]}
          />
          <NativeSelect
            label="Ready"
            value={ready}
            onChange={(e) => setReady(e.currentTarget.value)}
            data={[
              { value: '', label: 'Everyone' },
              { value: 'true', label: 'Ready (every mandatory rating)' },
              { value: 'false', label: 'Not ready' },
            ]}
          />
          <AsOfPicker value={asOf} onChange={setAsOf} />
          <TextInput label="Search" value={q} onChange={(e) => setQ(e.currentTarget.value)} placeholder="Name, role, email" />
          <Button variant="subtle" onClick={() => setShowCondition((s) => !s)} aria-expanded={showCondition}>
            {showCondition ? 'Hide filter' : 'Filter by condition'}
          </Button>
        </Group>
        {/* Drawn once its fields have loaded (a collapse measured before that opened empty). */}
        {showCondition ? (
          <QueryState query={fields}>
            {(data) => (
              <Stack gap="xs">
                <ConditionBuilder value={condition} onChange={setCondition} fields={data.items} />
                <Group>
                  <Button size="xs" onClick={() => setApplied(condition.conditions.length ? JSON.stringify(condition) : '')}>
                    Apply filter
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    onClick={() => {
                      setCondition(NO_CONDITION);
                      setApplied('');
                    }}
                  >
                    Clear
                  </Button>
                </Group>
              </Stack>
            )}
          </QueryState>
        ) : null}
        <QueryState query={list} empty="No profiles match.">
          {(data) => (
            <Card withBorder p={0}>
              <Table striped highlightOnHover aria-label="Profiles">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Profile type</Table.Th>
                    <Table.Th>Organisation</Table.Th>
                    <Table.Th>Start</Table.Th>
                    <Table.Th>{asOf ? `Ratings on ${formatDate(asOf)}` : 'Ratings'}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((p) => (
                    <Table.Tr key={p.id}>
                      <Table.Td>
                        <Anchor component={Link} to={withAsOf(`/record/profiles/${p.id}`, asOf)}>
                          {p.lastName}, {p.firstName}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{p.role}</Table.Td>
                      <Table.Td>{p.profileType}</Table.Td>
                      <Table.Td>{p.organisationName}</Table.Td>
                      <Table.Td>{formatDate(p.startDate)}</Table.Td>
                      <Table.Td>
                        <RatingBadges ratings={p.ratings} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          )}
        </QueryState>
      </Stack>
      <AddProfile opened={adding} onClose={() => setAdding(false)} types={types.data?.items ?? []} />
    </>
  );
}

function AddProfile({ opened, onClose, types }: { opened: boolean; onClose: () => void; types: ProfileType[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { organisationId: '', profileTypeId: '', firstName: '', lastName: '', role: '', email: '', startDate: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/record/profiles', { body: { ...v, startDate: v.startDate || null, checks: {} } })),
    onSuccess: (made) => {
      void queryClient.invalidateQueries({ queryKey: recordKeys.profiles });
      onClose();
      form.reset();
      void navigate(`/record/profiles/${made.id}`);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Add profile">
      <form onSubmit={submit.onSubmit}>
        <Stack gap="sm">
          <FormError error={submit.formError} />
          <OrganisationPicker value={form.getValues().organisationId} onChange={(id) => form.setFieldValue('organisationId', id)} allowAll={false} error={form.errors.organisationId} />
          <NativeSelect
            label="Profile type"
            required
            data={[{ value: '', label: 'Choose…' }, ...types.filter((t) => !t.retired).map((t) => ({ value: t.id, label: t.name }))]}
            {...form.getInputProps('profileTypeId')}
          />
          <TextInput label="First name" required {...form.getInputProps('firstName')} />
          <TextInput label="Last name" required {...form.getInputProps('lastName')} />
          <TextInput label="Role" {...form.getInputProps('role')} />
          <TextInput label="Email" type="email" {...form.getInputProps('email')} />
          <TextInput label="Start date" type="date" {...form.getInputProps('startDate')} />
          <Group justify="flex-end">
            <Button type="submit" loading={submit.busy}>
              Create profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Badge, Button, Card, Checkbox, ColorInput, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { roleCan, useMe } from '../../session';
import type { Group as SigninGroup, GroupType } from './signinApi';

export const GROUP_TYPES: Array<{ value: GroupType; label: string; help: string }> = [
  { value: 'standard', label: 'Standard', help: 'Visitors who give their details each time' },
  { value: 'repeat', label: 'Repeat', help: 'A roster of known people (staff, contractors, volunteers)' },
  { value: 'scim', label: 'SCIM', help: 'A roster that only your identity provider manages' },
];

/** Groups: who signs in, and how. The type is chosen once. */
export default function Groups() {
  const me = useMe();
  const groups = useApi<{ items: SigninGroup[] }>('/api/signin/groups');
  return (
    <>
      <PageHeader title="Groups" description="Each group has its own sign-in options, contacts and (for repeat and SCIM groups) members." />
      <Stack gap="lg">
        {roleCan(me.user.role, 'signin.manage') ? <CreateGroup /> : null}
        {groups.error ? <ErrorState error={groups.error} onRetry={groups.reload} /> : null}
        {!groups.data && !groups.error ? <LoadingState /> : null}
        {groups.data ? (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Safety check</Table.Th>
                <Table.Th>Sites</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groups.data.items.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>
                    <Group gap="xs">
                      <Badge color={g.colour} variant="filled" size="xs" circle aria-hidden="true">
                        {' '}
                      </Badge>
                      <Link to={`/signin/groups/${g.id}`}>{g.name}</Link>
                      {g.isStaffGroup ? <Badge variant="light">staff</Badge> : null}
                      {g.hasPin ? <Badge variant="light" color="gray">PIN</Badge> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>{GROUP_TYPES.find((t) => t.value === g.type)?.label}</Table.Td>
                  <Table.Td>{g.options.safetyCheckMode}</Table.Td>
                  <Table.Td>{g.siteIds.length}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
        {groups.data?.items.length === 0 ? <Text c="dimmed">No groups yet.</Text> : null}
      </Stack>
    </>
  );
}

function CreateGroup() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', type: 'repeat' as GroupType, colour: '#1c7ed6', isStaffGroup: false });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const g = await api.post<SigninGroup>('/api/signin/groups', { ...form, isStaffGroup: form.type !== 'standard' && form.isStaffGroup });
      void navigate(`/signin/groups/${g.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="new-group">
      <Title order={2} size="h4" id="new-group" mb="sm">
        Add a group
      </Title>
      <Stack gap="sm">
        <FormError error={error} fields={['name', 'type', 'colour', 'isStaffGroup']} />
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={fieldError(error, 'name')} />
          <Select label="Type (cannot be changed later)" data={GROUP_TYPES.map((t) => ({ value: t.value, label: `${t.label} — ${t.help}` }))} value={form.type} onChange={(v) => setForm({ ...form, type: (v ?? 'repeat') as GroupType })} allowDeselect={false} />
          <ColorInput label="Colour" value={form.colour} onChange={(colour) => setForm({ ...form, colour })} format="hex" />
        </Group>
        {form.type !== 'standard' ? <Checkbox label="Staff group" checked={form.isStaffGroup} onChange={(e) => setForm({ ...form, isStaffGroup: e.currentTarget.checked })} /> : null}
        <Group>
          <Button type="submit" loading={busy}>
            Add group
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

import { Button, Card, Group, NumberInput, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { roleCan, useMe } from '../../session';

type Block = { id: string; fullName: string; email: string | null; dateOfBirth: string | null; reason: string };

/** The block list (whole names, email, date of birth) and how long visits are kept. */
export default function SafetySettings() {
  const blocks = useApi<{ items: Block[] }>('/api/signin/block-list');
  const me = useMe();
  return (
    <>
      <PageHeader title="Block list and retention" description="People on the block list fail the safety check. Names match whole (never part of a name); an email or date of birth makes a match surer." />
      <Stack gap="lg">
        {roleCan(me.user.role, 'integration.read') ? <RecordInSafetyCheck /> : null}
        <AddBlock onAdded={blocks.reload} />
        {blocks.error ? <ErrorState error={blocks.error} onRetry={blocks.reload} /> : null}
        {!blocks.data && !blocks.error ? <LoadingState /> : null}
        {blocks.data ? (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Date of birth</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {blocks.data.items.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{b.fullName}</Table.Td>
                  <Table.Td>{b.email}</Table.Td>
                  <Table.Td>{b.dateOfBirth}</Table.Td>
                  <Table.Td>{b.reason}</Table.Td>
                  <Table.Td>
                    <ConfirmButton size="xs" variant="subtle" color="red" title="Remove from the block list?" message={`${b.fullName} will be able to sign in again.`} confirmLabel="Remove" onConfirm={async () => (await api.del(`/api/signin/block-list/${b.id}`), blocks.reload())}>
                      Remove
                    </ConfirmButton>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
        {blocks.data?.items.length === 0 ? <Text c="dimmed">No one is blocked.</Text> : null}
        <Retention />
      </Stack>
    </>
  );
}

function AddBlock({ onAdded }: { onAdded: () => void }) {
  const empty = { fullName: '', email: '', dateOfBirth: '', reason: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/signin/block-list', { fullName: form.fullName, email: form.email || null, dateOfBirth: form.dateOfBirth || null, reason: form.reason });
      setForm(empty);
      onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="add-block">
      <Title order={2} size="h4" id="add-block" mb="sm">
        Block a person
      </Title>
      <FormError error={error} fields={['fullName', 'email', 'dateOfBirth', 'reason']} />
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Full name" required value={form.fullName} onChange={(e) => setForm({ ...form, fullName: e.currentTarget.value })} error={fieldError(error, 'fullName')} />
        <TextInput label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={fieldError(error, 'email')} />
        <TextInput label="Date of birth" type="date" value={form.dateOfBirth} onChange={(e) => setForm({ ...form, dateOfBirth: e.currentTarget.value })} error={fieldError(error, 'dateOfBirth')} />
        <TextInput label="Reason (staff only)" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
        <Button type="submit">Block</Button>
      </Group>
    </Card>
  );
}

function Retention() {
  const settings = useApi<{ retentionDays: number | null }>('/api/signin/settings');
  const [days, setDays] = useState<number | ''>('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.data) setDays(settings.data.retentionDays ?? '');
  }, [settings.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api.put('/api/signin/settings', { retentionDays: days === '' ? null : days });
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void save(e)} aria-labelledby="retention">
      <Title order={2} size="h4" id="retention" mb="sm">
        Keep visits for
      </Title>
      <FormError error={error} fields={['retentionDays']} />
      <Group align="flex-end">
        <NumberInput label="Days (empty: keep forever)" min={1} max={36500} value={days} onChange={(v) => setDays(typeof v === 'number' ? v : '')} error={fieldError(error, 'retentionDays')} />
        <Button type="submit">Save</Button>
        {saved ? <Text c="teal">Saved.</Text> : null}
      </Group>
      <Text size="sm" c="dimmed" mt="xs">
        Every night, older visits are deleted, except protected ones and people still on site.
      </Text>
    </Card>
  );
}

/** The tenant's "include the Central Record in the safety check" switch (each group then applies its own mode). */
function RecordInSafetyCheck() {
  const me = useMe();
  const settings = useApi<{ includeRecordInSafetyCheck: boolean }>('/api/integration/settings');
  const [error, setError] = useState<unknown>(null);
  const save = async (on: boolean) => {
    setError(null);
    try {
      await api.put('/api/integration/settings', { includeRecordInSafetyCheck: on });
      settings.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder aria-labelledby="record-safety">
      <Title order={2} size="h4" id="record-safety" mb="sm">
        Central Record
      </Title>
      <FormError error={error} />
      {settings.error ? <ErrorState error={settings.error} onRetry={settings.reload} /> : null}
      <Switch
        label="Include the Central Record's criteria in the safety check"
        description="Members of linked groups whose profile is not ready (under the group's rating systems) are handled by each group's safety check mode, set on the group's page."
        checked={settings.data?.includeRecordInSafetyCheck ?? false}
        disabled={!settings.data || !roleCan(me.user.role, 'integration.manage')}
        onChange={(e) => void save(e.currentTarget.checked)}
      />
    </Card>
  );
}

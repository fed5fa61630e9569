import { Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, type ApiKey, type ApiKeyCreated } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';

const KEY_ROLES = [
  { value: 'admin', label: 'Admin' },
  { value: 'manager', label: 'Manager' },
  { value: 'viewer', label: 'Viewer (read only)' },
];

export default function ApiKeys() {
  const keys = useApi<{ items: ApiKey[] }>('/api/api-keys');
  const [created, setCreated] = useState<{ name: string; apiKey: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  return (
    <>
      <PageHeader title="API keys" description="Keys for scripts and other systems to call the Threshold REST API. Send one as “Authorization: Bearer <key>”." />
      <Stack gap="lg">
        {created ? (
          <Alert color="teal" title={`Key “${created.name}” created`} withCloseButton onClose={() => setCreated(null)} closeButtonLabel="Dismiss">
            <Stack gap="xs">
              <Text size="sm">Copy it now: it is shown only this once. Threshold keeps only a fingerprint of it.</Text>
              <CopyField label="API key" value={created.apiKey} />
            </Stack>
          </Alert>
        ) : null}
        <CreateKey onCreated={(k) => { setCreated(k); keys.reload(); }} />
        <Card withBorder padding="lg" component="section" aria-labelledby="keys-title">
          <Title order={2} size="h4" mb="sm" id="keys-title">
            Keys
          </Title>
          <FormError error={error} />
          {keys.loading && !keys.data ? <LoadingState /> : null}
          {keys.error ? <ErrorState error={keys.error} onRetry={keys.reload} /> : null}
          {keys.data && keys.data.items.length === 0 ? <Text c="dimmed">No API keys yet.</Text> : null}
          {keys.data && keys.data.items.length > 0 ? (
            <Table.ScrollContainer minWidth={600}>
              <Table verticalSpacing="sm" aria-label="API keys">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Key starts</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {keys.data.items.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td>{k.name}</Table.Td>
                      <Table.Td>
                        <Badge variant="light">{k.role}</Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text ff="monospace" size="sm">
                          {k.prefix}…
                        </Text>
                      </Table.Td>
                      <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                      <Table.Td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</Table.Td>
                      <Table.Td>
                        {k.revokedAt ? (
                          <Badge color="gray">revoked</Badge>
                        ) : (
                          <ConfirmButton
                            size="xs"
                            variant="light"
                            color="red"
                            aria-label={`Revoke ${k.name}`}
                            title={`Revoke “${k.name}”?`}
                            message="Anything using this key stops working at once. This cannot be undone."
                            confirmLabel="Revoke"
                            onConfirm={async () => {
                              setError(null);
                              await api.del(`/api/api-keys/${k.id}`);
                              keys.reload();
                            }}
                          >
                            Revoke
                          </ConfirmButton>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : null}
        </Card>
      </Stack>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (k: { name: string; apiKey: string }) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('admin');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<ApiKeyCreated>('/api/api-keys', { name, role });
      onCreated({ name: res.key.name, apiKey: res.apiKey });
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="new-key-title">
      <Title order={2} size="h4" mb="sm" id="new-key-title">
        New key
      </Title>
      <form onSubmit={submit} noValidate>
        <Group align="flex-start" wrap="wrap">
          <TextInput label="Name" description="What uses it, e.g. “HR system export”" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} style={{ flex: '1 1 220px' }} />
          <Select label="Role" description="What the key may do" data={KEY_ROLES} value={role} onChange={(v) => setRole(v ?? 'admin')} allowDeselect={false} error={fieldError(error, 'role')} style={{ flex: '0 1 200px' }} />
        </Group>
        <FormError error={error} fields={['name', 'role']} />
        <Button type="submit" loading={busy} disabled={!name.trim()} mt="md">
          Create key
        </Button>
      </form>
    </Card>
  );
}

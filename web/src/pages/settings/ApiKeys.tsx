import { Alert, Badge, Button, Card, Checkbox, Group, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Body } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { apiKeysQuery, settingsKeys } from './queries';
import { formatDateTime } from '../../format';

type KeyRole = NonNullable<Body<'/api/api-keys', 'post'>['role']>;

// The least first: a new key starts read-only (a key "for the HR export" reads), and admin, which
// may change users, settings and keys, is chosen and then confirmed. The API still defaults to admin
// for scripts written against it (its OpenAPI description says so).
const KEY_ROLES: Array<{ value: KeyRole; label: string }> = [
  { value: 'viewer', label: 'Viewer (read only)' },
  { value: 'manager', label: 'Manager' },
  { value: 'admin', label: 'Admin' },
];

export default function ApiKeys() {
  const keys = useQuery(apiKeysQuery());
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ name: string; apiKey: string } | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => ok(client.DELETE('/api/api-keys/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });

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
        <CreateKey onCreated={setCreated} />
        <Card withBorder padding="lg" component="section" aria-labelledby="keys-title">
          <Title order={2} size="h4" mb="sm" id="keys-title">
            Keys
          </Title>
          <QueryState query={keys} empty="No API keys yet.">
            {(data) => (
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
                  {data.items.map((k) => (
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
                            onConfirm={() => revoke.mutateAsync(k.id)}
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
            )}
          </QueryState>
        </Card>
      </Stack>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (k: { name: string; apiKey: string }) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<{ name: string; role: KeyRole; adminConfirmed: boolean }>({ initialValues: { name: '', role: 'viewer', adminConfirmed: false } });
  const submit = useFormSubmit(form, {
    mutationFn: ({ name, role }) => ok(client.POST('/api/api-keys', { body: { name, role } })),
    onSuccess: (res) => {
      onCreated({ name: res.key.name, apiKey: res.apiKey });
      form.setValues({ name: '', role: 'viewer', adminConfirmed: false });
      return queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys });
    },
  });
  const values = form.getValues();

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="new-key-title">
      <Title order={2} size="h4" mb="sm" id="new-key-title">
        New key
      </Title>
      <form onSubmit={submit.onSubmit} noValidate>
        <Group align="flex-start" wrap="wrap">
          <TextInput label="Name" description="What uses it, e.g. “HR system export”" required {...form.getInputProps('name')} style={{ flex: '1 1 220px' }} />
          <Select
            label="Role"
            description="What the key may do"
            data={KEY_ROLES}
            allowDeselect={false}
            {...form.getInputProps('role')}
            onChange={(v) => form.setValues({ role: (v ?? 'viewer') as KeyRole, adminConfirmed: false })}
            style={{ flex: '0 1 200px' }}
          />
        </Group>
        {values.role === 'admin' ? (
          <Checkbox
            mt="sm"
            label="This key may do everything an administrator can, changing users, settings and other keys included"
            {...form.getInputProps('adminConfirmed', { type: 'checkbox' })}
          />
        ) : null}
        <FormError error={submit.formError} />
        <Button type="submit" loading={submit.busy} disabled={!values.name.trim() || (values.role === 'admin' && !values.adminConfirmed)} mt="md">
          Create key
        </Button>
      </form>
    </Card>
  );
}

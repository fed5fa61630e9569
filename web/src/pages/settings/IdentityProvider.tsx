import { Alert, Badge, Button, Card, Checkbox, Group, List, PasswordInput, Select, Stack, Switch, Table, TagsInput, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer, type Body } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, ErrorState, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { useCan } from '../../session';
import { oidcConnectionsQuery, oidcSettingsQuery, settingsKeys } from './queries';

type Connection = Answer<'/api/oidc/connections'>['connections'][number];
type Preset = Connection['preset'];
type JitRole = Connection['jitRole'];
type TestResult = Answer<'/api/oidc/connections/{id}/test', 'post'>;

const PRESETS: Array<{ value: Preset; label: string; issuer: string; button: string }> = [
  { value: 'entra', label: 'Microsoft Entra ID', issuer: 'https://login.microsoftonline.com/<directory id>/v2.0', button: 'Sign in with Microsoft' },
  { value: 'google', label: 'Google Workspace', issuer: 'https://accounts.google.com', button: 'Sign in with Google' },
  { value: 'okta', label: 'Okta', issuer: 'https://<your org>.okta.com', button: 'Sign in with Okta' },
  { value: 'generic', label: 'Other OpenID Connect provider', issuer: 'https://', button: 'Sign in with your school account' },
];
const presetLabel = (p: Preset) => PRESETS.find((x) => x.value === p)?.label ?? p;
const ROLES: Array<{ value: JitRole; label: string }> = [
  { value: 'viewer', label: 'Viewer' },
  { value: 'manager', label: 'Manager' },
  { value: 'admin', label: 'Admin' },
];

export default function IdentityProvider() {
  const connections = useQuery(oidcConnectionsQuery());
  const settings = useQuery(oidcSettingsQuery());
  const [editing, setEditing] = useState<Connection | 'new' | null>(null);

  return (
    <>
      <PageHeader
        title="Identity provider"
        description="Let staff sign in with the school’s Microsoft, Google or Okta accounts (OpenID Connect). Each connection serves the email domains you list."
      />
      <Stack gap="lg">
        {settings.data ? (
          <Card withBorder padding="lg" component="section" aria-labelledby="redirect-title">
            <Title order={2} size="h4" mb="sm" id="redirect-title">
              Redirect URI
            </Title>
            <CopyField label="Redirect URI" value={settings.data.redirectUri} description="Register this as the redirect (reply) URI of the app at your identity provider." />
          </Card>
        ) : settings.error ? (
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        ) : null}
        <Card withBorder padding="lg" component="section" aria-labelledby="connections-title">
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4" id="connections-title">
              Connections
            </Title>
            <Button onClick={() => setEditing('new')} disabled={editing !== null}>
              Add connection
            </Button>
          </Group>
          <QueryState query={connections} isEmpty={(d) => d.connections.length === 0} empty="No connections yet: staff sign in with their passwords.">
            {(data) => <ConnectionsTable connections={data.connections} onEdit={setEditing} />}
          </QueryState>
        </Card>
        {editing ? <ConnectionForm key={editing === 'new' ? 'new' : editing.id} connection={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
        {settings.data ? <PasswordSignIn off={settings.data.passwordSignInOff} /> : null}
      </Stack>
    </>
  );
}

function ConnectionsTable({ connections, onEdit }: { connections: Connection[]; onEdit: (c: Connection) => void }) {
  const queryClient = useQueryClient();
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const remove = useMutation({
    mutationFn: (id: string) => ok(client.DELETE('/api/oidc/connections/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.oidcConnections }),
  });
  const test = useMutation({
    mutationFn: (id: string) => ok(client.POST('/api/oidc/connections/{id}/test', { params: { path: { id } } })),
    onSuccess: (result, id) => setResults((r) => ({ ...r, [id]: result })),
  });

  return (
    <Stack gap="sm">
      <FormError error={remove.error ?? test.error} />
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" aria-label="Identity provider connections">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Button</Table.Th>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Email domains</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {connections.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.label}</Table.Td>
                <Table.Td>{presetLabel(c.preset)}</Table.Td>
                <Table.Td>{c.domains.join(', ')}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={c.enabled ? 'teal' : 'gray'} variant="light">
                      {c.enabled ? 'on' : 'off'}
                    </Badge>
                    {c.jitEnabled ? <Badge variant="light">creates users</Badge> : null}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="light" aria-label={`Test ${c.label}`} loading={test.isPending && test.variables === c.id} onClick={() => test.mutate(c.id)}>
                      Test connection
                    </Button>
                    <Button size="xs" variant="default" aria-label={`Edit ${c.label}`} onClick={() => onEdit(c)}>
                      Edit
                    </Button>
                    <ConfirmButton
                      size="xs"
                      variant="light"
                      color="red"
                      aria-label={`Delete ${c.label}`}
                      title={`Delete “${c.label}”?`}
                      message="Staff of its domains can no longer sign in through it."
                      confirmLabel="Delete"
                      onConfirm={() => remove.mutateAsync(c.id)}
                    >
                      Delete
                    </ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {connections
        .filter((c) => results[c.id])
        .map((c) => {
          const r = results[c.id]!;
          return (
            <Alert key={c.id} color={r.ok ? 'teal' : 'red'} title={`${c.label}: ${r.ok ? 'all checks passed' : 'something is wrong'}`} role="status">
              <List size="sm">
                {r.checks.map((x) => (
                  <List.Item key={x.name}>
                    {x.ok ? '✓' : '✗'} {x.message}
                  </List.Item>
                ))}
              </List>
            </Alert>
          );
        })}
    </Stack>
  );
}

type FormValues = {
  preset: Preset;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  domains: string[];
  idpTenantId: string;
  idpEnforcesMfa: boolean;
  enabled: boolean;
  jitEnabled: boolean;
  jitRole: JitRole;
  allowedGroups: string[];
  groupRoles: string;
};

/** A list field's error, or the first of its items' errors (`domains.1`), shown on the list's input. */
function listError(errors: Record<string, unknown>, name: string) {
  const own = errors[name];
  if (own) return own as string;
  const item = Object.entries(errors).find(([k]) => k.startsWith(`${name}.`));
  return item ? (item[1] as string) : undefined;
}

/** "group id = role" per line ↔ the API's list. */
function parseGroupRoles(text: string): Array<{ group: string; role: JitRole }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [group, role] = l.split(/\s*[=:]\s*(?=[^=:]*$)/);
      return { group: (group ?? '').trim(), role: (role ?? '').trim().toLowerCase() as JitRole };
    });
}

function ConnectionForm({ connection, onDone }: { connection: Connection | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm<FormValues>({
    initialValues: connection
      ? {
          preset: connection.preset,
          label: connection.label,
          issuer: connection.issuer,
          clientId: connection.clientId,
          clientSecret: '',
          scopes: connection.scopes,
          domains: connection.domains,
          idpTenantId: connection.idpTenantId ?? '',
          idpEnforcesMfa: connection.idpEnforcesMfa,
          enabled: connection.enabled,
          jitEnabled: connection.jitEnabled,
          jitRole: connection.jitRole,
          allowedGroups: connection.allowedGroups,
          groupRoles: connection.groupRoles.map((g) => `${g.group} = ${g.role}`).join('\n'),
        }
      : { preset: 'entra', label: 'Sign in with Microsoft', issuer: '', clientId: '', clientSecret: '', scopes: 'openid email profile', domains: [], idpTenantId: '', idpEnforcesMfa: false, enabled: true, jitEnabled: false, jitRole: 'viewer', allowedGroups: [], groupRoles: '' },
  });
  const submit = useFormSubmit(form, {
    mutationFn: async (v) => {
      const common = {
        label: v.label,
        issuer: v.issuer,
        clientId: v.clientId,
        scopes: v.scopes,
        domains: v.domains,
        idpTenantId: v.preset === 'entra' ? v.idpTenantId.trim() || null : null,
        idpEnforcesMfa: v.idpEnforcesMfa,
        enabled: v.enabled,
        jitEnabled: v.jitEnabled,
        jitRole: v.jitRole,
        allowedGroups: v.allowedGroups,
        groupRoles: parseGroupRoles(v.groupRoles),
      };
      if (connection) {
        const body: Body<'/api/oidc/connections/{id}', 'patch'> = { ...common, ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}) };
        return ok(client.PATCH('/api/oidc/connections/{id}', { params: { path: { id: connection.id } }, body }));
      }
      return ok(client.POST('/api/oidc/connections', { body: { ...common, preset: v.preset, clientSecret: v.clientSecret } }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKeys.oidcConnections });
      onDone();
    },
  });
  const values = form.getValues();
  const preset = PRESETS.find((p) => p.value === values.preset)!;

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="connection-form-title">
      <Title order={2} size="h4" mb="sm" id="connection-form-title">
        {connection ? `Edit ${connection.label}` : 'New connection'}
      </Title>
      <form onSubmit={submit.onSubmit} noValidate>
        <Stack gap="sm">
          <Select
            label="Identity provider"
            data={PRESETS.map((p) => ({ value: p.value, label: p.label }))}
            allowDeselect={false}
            disabled={connection !== null}
            {...form.getInputProps('preset')}
            onChange={(v) => {
              const next = PRESETS.find((p) => p.value === v);
              if (!next) return;
              form.setFieldValue('preset', next.value);
              if (!connection) form.setFieldValue('label', next.button);
            }}
          />
          <TextInput label="Button label" required {...form.getInputProps('label')} />
          <TextInput label="Issuer URL" description={`e.g. ${preset.issuer}`} required {...form.getInputProps('issuer')} />
          {values.preset === 'entra' ? (
            <TextInput label="Directory (tenant) ID" description="The ID tokens’ tid claim must carry it" required {...form.getInputProps('idpTenantId')} />
          ) : null}
          <TextInput label="Client ID" required {...form.getInputProps('clientId')} />
          <PasswordInput
            label="Client secret"
            description={connection ? 'Leave blank to keep the stored secret' : 'Stored encrypted; never shown again'}
            required={!connection}
            autoComplete="new-password"
            {...form.getInputProps('clientSecret')}
          />
          <TagsInput label="Email domains" description="Press Enter after each, e.g. school.org.uk" required {...form.getInputProps('domains')} error={listError(form.errors, 'domains')} />
          <TextInput label="Scopes" {...form.getInputProps('scopes')} />
          <Checkbox label="The identity provider enforces multi-factor sign-in (counts as two-factor here)" {...form.getInputProps('idpEnforcesMfa', { type: 'checkbox' })} />
          <Checkbox label="Connection on" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Checkbox label="Create unknown users on their first sign-in" {...form.getInputProps('jitEnabled', { type: 'checkbox' })} />
          {values.jitEnabled ? (
            <>
              <Select label="Default role of new users" data={ROLES} allowDeselect={false} {...form.getInputProps('jitRole')} />
              <TagsInput label="Allowed IdP groups" description="Group ids from the groups claim; empty: anyone of the domains" {...form.getInputProps('allowedGroups')} error={listError(form.errors, 'allowedGroups')} />
              <Textarea label="Group roles" description="One per line: group id = role (viewer, manager, admin). The highest match wins." autosize minRows={2} {...form.getInputProps('groupRoles')} />
            </>
          ) : null}
          <FormError error={submit.formError} />
          <Group>
            <Button type="submit" loading={submit.busy}>
              {connection ? 'Save connection' : 'Add connection'}
            </Button>
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasswordSignIn({ off }: { off: boolean }) {
  const isOwner = useCan('tenant.manage');
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (passwordSignInOff: boolean) => ok(client.PUT('/api/oidc/settings', { body: { passwordSignInOff } })),
    onSuccess: (data) => queryClient.setQueryData(settingsKeys.oidcSettings, data),
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="passwords-title">
      <Title order={2} size="h4" mb="sm" id="passwords-title">
        Password sign-in
      </Title>
      <Switch
        label="Sign in only through the identity provider"
        description={
          isOwner
            ? 'Passwords stop working for everyone. If the identity provider fails, run `npm run cli -- oidc recover --tenant <id>` on the server.'
            : 'Only the owner can change this.'
        }
        checked={off}
        disabled={!isOwner || change.isPending}
        onChange={(e) => change.mutate(e.currentTarget.checked)}
      />
      <FormError error={change.error} />
      {off ? (
        <Text size="sm" mt="xs" c="dimmed">
          Password sign-in is off.
        </Text>
      ) : null}
    </Card>
  );
}

import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { api, type InviteCreated, type PendingInvite, type Role, type User } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { useCan, useMe, useSession } from '../../session';

const ASSIGNABLE: { value: Exclude<Role, 'owner'>; label: string }[] = [
  { value: 'admin', label: 'Admin: everything except ownership' },
  { value: 'manager', label: 'Manager: day-to-day operation' },
  { value: 'viewer', label: 'Viewer: read only' },
];
const ROLE_SHORT = ASSIGNABLE.map((r) => ({ value: r.value, label: r.value[0]!.toUpperCase() + r.value.slice(1) }));

const isDisabled = (u: User) => u.disabled;

export default function Users() {
  const users = useApi<{ items: User[] }>('/api/users');
  const canManage = useCan('users.manage');
  const invites = useApi<{ items: PendingInvite[] }>(canManage ? '/api/users/invites' : null);
  const [inviting, setInviting] = useState(false);

  return (
    <>
      <PageHeader title="Users & roles" description="People who can sign in to Threshold for your organisation, and what their role lets them do.">
        {canManage ? <Button onClick={() => setInviting(true)}>Invite a user</Button> : null}
      </PageHeader>
      {users.loading && !users.data ? <LoadingState /> : null}
      {users.error ? <ErrorState error={users.error} onRetry={users.reload} /> : null}
      {users.data ? <UserTable users={users.data.items} canManage={canManage} onChange={users.reload} /> : null}
      {invites.data && invites.data.items.length > 0 ? <PendingInvites invites={invites.data.items} onChange={invites.reload} /> : null}
      <InviteModal opened={inviting} onClose={() => setInviting(false)} onInvited={invites.reload} />
    </>
  );
}

function UserTable({ users, canManage, onChange }: { users: User[]; canManage: boolean; onChange: () => void }) {
  const me = useMe();
  const { refresh } = useSession();
  const [error, setError] = useState<unknown>(null);
  const isOwner = me.user.role === 'owner';

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await fn();
      notifications.show({ message: done, color: 'teal' });
      onChange();
    } catch (err) {
      setError(err);
      throw err;
    }
  };

  if (users.length === 0) return <Text c="dimmed">No users yet.</Text>;
  return (
    <Stack>
      <FormError error={error} />
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" highlightOnHover aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              {canManage ? <Table.Th>Actions</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((u) => {
              const self = u.id === me.user.id;
              const editable = canManage && !self && u.role !== 'owner';
              const who = u.name || u.email;
              return (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    {u.name || '—'}
                    {self ? (
                      <Badge ml="xs" size="xs" variant="light">
                        you
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    {editable ? (
                      <Select
                        aria-label={`Role of ${who}`}
                        data={ROLE_SHORT}
                        value={u.role}
                        allowDeselect={false}
                        w={130}
                        size="xs"
                        onChange={(role) => {
                          if (role && role !== u.role) void act(() => api.patch(`/api/users/${u.id}`, { role }), `${who} is now ${role}.`).catch(() => undefined);
                        }}
                      />
                    ) : (
                      <Badge variant={u.role === 'owner' ? 'filled' : 'light'}>{u.role}</Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {isDisabled(u) ? (
                      <Badge color="gray">disabled</Badge>
                    ) : (
                      <Badge color="teal" variant="light">
                        active
                      </Badge>
                    )}
                    {u.totpEnabled ? (
                      <Badge ml={4} color="indigo" variant="outline">
                        2FA
                      </Badge>
                    ) : null}
                  </Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {editable && !isDisabled(u) ? (
                          <ConfirmButton
                            size="xs"
                            variant="light"
                            color="red"
                            aria-label={`Disable ${who}`}
                            title={`Disable ${who}?`}
                            message="They are signed out at once and cannot sign in until enabled again."
                            confirmLabel="Disable"
                            onConfirm={() => act(() => api.patch(`/api/users/${u.id}`, { disabled: true }), `${who} is disabled.`)}
                          >
                            Disable
                          </ConfirmButton>
                        ) : null}
                        {editable && isDisabled(u) ? (
                          <Button size="xs" variant="light" aria-label={`Enable ${who}`} onClick={() => void act(() => api.patch(`/api/users/${u.id}`, { disabled: false }), `${who} is enabled.`).catch(() => undefined)}>
                            Enable
                          </Button>
                        ) : null}
                        {isOwner && !self && !isDisabled(u) ? (
                          <ConfirmButton
                            size="xs"
                            variant="subtle"
                            color="orange"
                            aria-label={`Make ${who} the owner`}
                            title={`Hand ownership to ${who}?`}
                            message="There is exactly one owner. They become the owner and you become an admin. Only they can hand it back."
                            confirmLabel="Transfer ownership"
                            onConfirm={() =>
                              act(() => api.post(`/api/users/${u.id}/transfer-ownership`), `${who} is now the owner.`).then(() => refresh())
                            }
                          >
                            Make owner
                          </ConfirmButton>
                        ) : null}
                      </Group>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function InviteModal({ opened, onClose, onInvited }: { opened: boolean; onClose: () => void; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [invite, setInvite] = useState<(InviteCreated & { email: string; role: string }) | null>(null);

  const close = () => {
    setEmail('');
    setName('');
    setRole('viewer');
    setError(null);
    setInvite(null);
    onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<InviteCreated>('/api/users/invite', { email, name: name || undefined, role });
      setInvite({ ...created, email, role });
      onInvited();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={invite ? 'Invitation created' : 'Invite a user'} centered>
      {invite ? (
        <Stack>
          <Alert color="teal" role="status">
            {invite.email} is invited as {invite.role}. Send them this link; it works once and expires {formatDateTime(invite.expiresAt)}.
          </Alert>
          <CopyField label="Invitation link" value={invite.inviteUrl} />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(error, 'email')} data-autofocus />
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} />
            <Select label="Role" data={ASSIGNABLE} value={role} onChange={(v) => setRole(v ?? 'viewer')} allowDeselect={false} error={fieldError(error, 'role')} comboboxProps={{ withinPortal: true }} />
            <FormError error={error} fields={['email', 'name', 'role']} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create invitation
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function PendingInvites({ invites, onChange }: { invites: PendingInvite[]; onChange: () => void }) {
  return (
    <Stack mt="xl" gap="xs" component="section" aria-labelledby="pending-invites-title">
      <Title order={2} size="h4" id="pending-invites-title">
        Invitations not yet accepted
      </Title>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="sm" aria-label="Invitations not yet accepted">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invites.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  {i.email}
                  {i.name ? (
                    <Text span c="dimmed" size="sm">
                      {' '}
                      ({i.name})
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light">{i.role}</Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(i.expiresAt)}</Table.Td>
                <Table.Td>
                  <ConfirmButton
                    size="xs"
                    variant="light"
                    color="red"
                    aria-label={`Revoke the invitation for ${i.email}`}
                    title={`Revoke the invitation for ${i.email}?`}
                    message="The link stops working. You can invite them again later."
                    confirmLabel="Revoke"
                    onConfirm={async () => {
                      await api.del(`/api/users/invites/${i.id}`);
                      onChange();
                    }}
                  >
                    Revoke
                  </ConfirmButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

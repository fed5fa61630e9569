import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer, type Body } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { useCan, useMe, useSession } from '../../session';
import { invitesQuery, settingsKeys, usersQuery } from './queries';
import { ReachCell, ReachFields, ReachModal, reachChanged, useReachTargets } from './UserReach';
import { reachError, scopesOfForm, type ReachForm } from './reach';
import { formatDateTime } from '../../format';

type User = Answer<'/api/users'>['items'][number];
type PendingInvite = Answer<'/api/users/invites'>['items'][number];
type Role = User['role'];
type InviteBody = Body<'/api/users/invite', 'post'>;
type Invited = Answer<'/api/users/invite', 'post'> & { email: string; role: string };
type UserPatch = Body<'/api/users/{id}', 'patch'>;

const ASSIGNABLE: { value: Exclude<Role, 'owner'>; label: string }[] = [
  { value: 'admin', label: 'Admin: everything except ownership' },
  { value: 'manager', label: 'Manager: day-to-day operation' },
  { value: 'viewer', label: 'Viewer: read only' },
];
const ROLE_SHORT = ASSIGNABLE.map((r) => ({ value: r.value, label: r.value[0]!.toUpperCase() + r.value.slice(1) }));

const isDisabled = (u: User) => u.disabled;

export default function Users() {
  const users = useQuery(usersQuery());
  const canManage = useCan('users.manage');
  const invites = useQuery({ ...invitesQuery(), enabled: canManage });
  const [inviting, setInviting] = useState(false);

  return (
    <>
      <PageHeader title="Users & roles" description="People who can sign in to Threshold for your organisation, what their role lets them do, and which sites and organisations they reach.">
        {canManage ? <Button onClick={() => setInviting(true)}>Invite a user</Button> : null}
      </PageHeader>
      <QueryState query={users} empty="No users yet.">
        {(data) => <UserTable users={data.items} canManage={canManage} />}
      </QueryState>
      {invites.data && invites.data.items.length > 0 ? <PendingInvites invites={invites.data.items} /> : null}
      <InviteModal opened={inviting} onClose={() => setInviting(false)} />
    </>
  );
}

function UserTable({ users, canManage }: { users: User[]; canManage: boolean }) {
  const me = useMe();
  const { refresh } = useSession();
  const queryClient = useQueryClient();
  const isOwner = me.user.role === 'owner';
  const { names } = useReachTargets();
  const [editingReach, setEditingReach] = useState<User | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: settingsKeys.users });
  const done = (message: string) => notifications.show({ message, color: 'teal' });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UserPatch; done: string }) => ok(client.PATCH('/api/users/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (_res, v) => done(v.done),
    onSettled: invalidate,
  });
  // Ownership moves the caller's own role too: the session is refreshed with the list.
  const transfer = useMutation({
    mutationFn: ({ id }: { id: string; done: string }) => ok(client.POST('/api/users/{id}/transfer-ownership', { params: { path: { id } } })),
    onSuccess: (_res, v) => {
      done(v.done);
      return refresh();
    },
    onSettled: invalidate,
  });

  return (
    <Stack>
      <FormError error={update.error ?? transfer.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table verticalSpacing="sm" highlightOnHover aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Reach</Table.Th>
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
                          if (role && role !== u.role) update.mutate({ id: u.id, patch: { role: role as UserPatch['role'], fromRole: u.role }, done: `${who} is now ${role}.` });
                        }}
                      />
                    ) : (
                      <Badge variant={u.role === 'owner' ? 'filled' : 'light'}>{u.role}</Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ReachCell user={u} names={names} />
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
                        {editable ? (
                          <Button size="xs" variant="light" aria-label={`Edit the reach of ${who}`} onClick={() => setEditingReach(u)}>
                            Reach
                          </Button>
                        ) : null}
                        {editable && !isDisabled(u) ? (
                          <ConfirmButton
                            size="xs"
                            variant="light"
                            color="red"
                            aria-label={`Disable ${who}`}
                            title={`Disable ${who}?`}
                            message="They are signed out at once and cannot sign in until enabled again."
                            confirmLabel="Disable"
                            onConfirm={() => update.mutateAsync({ id: u.id, patch: { disabled: true }, done: `${who} is disabled.` })}
                          >
                            Disable
                          </ConfirmButton>
                        ) : null}
                        {editable && isDisabled(u) ? (
                          <Button size="xs" variant="light" aria-label={`Enable ${who}`} onClick={() => update.mutate({ id: u.id, patch: { disabled: false }, done: `${who} is enabled.` })}>
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
                            onConfirm={() => transfer.mutateAsync({ id: u.id, done: `${who} is now the owner.` })}
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
      {editingReach ? <ReachModal key={editingReach.id} user={editingReach} onClose={() => setEditingReach(null)} /> : null}
    </Stack>
  );
}

function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [invite, setInvite] = useState<Invited | null>(null);
  // The reach as Settings › Users' reach editor sets it: no scope is the whole trust.
  const form = useForm<{ email: string; name: string; role: InviteBody['role'] } & ReachForm>({
    initialValues: { email: '', name: '', role: 'viewer', reach: 'trust', sites: [], organisations: [] },
    validate: (v) => ({ reach: reachError(v) }),
  });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/users/invite', { body: { email: v.email, name: v.name || undefined, role: v.role, scopes: scopesOfForm(v) } })),
    onSuccess: (created, v) => {
      setInvite({ ...created, email: v.email, role: v.role });
      return queryClient.invalidateQueries({ queryKey: settingsKeys.invites });
    },
  });

  const close = () => {
    form.reset();
    setInvite(null);
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={invite ? 'Invitation created' : 'Invite a user'} centered size="lg">
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
        <form onSubmit={submit.onSubmit} noValidate>
          <Stack>
            <TextInput label="Email" type="email" required {...form.getInputProps('email')} data-autofocus />
            <TextInput label="Name" {...form.getInputProps('name')} />
            <Select label="Role" data={ASSIGNABLE} allowDeselect={false} {...form.getInputProps('role')} comboboxProps={{ withinPortal: true }} />
            <ReachFields value={form.getValues()} onChange={(v) => reachChanged(form, v)} errors={form.errors} role={form.getValues().role} />
            <FormError error={submit.formError} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={submit.busy}>
                Create invitation
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function PendingInvites({ invites }: { invites: PendingInvite[] }) {
  const queryClient = useQueryClient();
  const { names } = useReachTargets();
  const revoke = useMutation({
    mutationFn: (id: string) => ok(client.DELETE('/api/users/invites/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.invites }),
  });
  return (
    <Stack mt="xl" gap="xs" component="section" aria-labelledby="pending-invites-title">
      <Title order={2} size="h4" id="pending-invites-title">
        Invitations not yet accepted
      </Title>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing="sm" aria-label="Invitations not yet accepted">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Reach</Table.Th>
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
                <Table.Td>
                  <ReachCell user={i} names={names} />
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
                    onConfirm={() => revoke.mutateAsync(i.id)}
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

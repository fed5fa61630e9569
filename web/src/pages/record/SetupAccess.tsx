import { Alert, Badge, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, ok, type Answer, type Body } from '../../api/client';
import { AppLink, FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useCan } from '../../session';
import { settingsKeys, usersQuery } from '../settings/queries';
import { isVersionConflict, useReachTargets } from '../settings/UserReach';
import { organisationsQuery } from './queries';

type User = Answer<'/api/users'>['items'][number];
type Scope = Body<'/api/users/{id}/scopes', 'put'>['scopes'][number];
type Organisation = Answer<'/api/record/organisations'>['items'][number];

const LEVELS: Array<Scope['level']> = ['view', 'edit', 'administer'];

/**
 * Record permissions per user and organisation: no scope at all means the whole trust at the user's
 * role; a scope names what the user reaches. A change sends the user's whole list with only that
 * organisation's scope changed, so their site scopes stay; sites are given in Settings › Users
 * (the complete editor). Changing scopes is the trust's central team's (`users.manage`).
 */
export function SetupAccess() {
  const canManage = useCan('users.manage');
  const { names } = useReachTargets();
  const users = useQuery(usersQuery());
  const orgs = useQuery(organisationsQuery());
  const queryClient = useQueryClient();
  // Sent with the version the table read: a change another administrator saved meanwhile is not
  // overwritten (409, shown below). The users list is read again either way, and the table waits
  // for it, so that two changes in a row do not send the second from the list before the first.
  const setScopes = useMutation({
    mutationFn: ({ user, scopes }: { user: User; scopes: Scope[] }) => ok(client.PUT('/api/users/{id}/scopes', { params: { path: { id: user.id } }, body: { scopes, scopesVersion: user.scopesVersion } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.users }),
  });
  const setLevel = (u: User, orgId: string, level: string) => {
    const scopes: Scope[] = u.scopes.filter((x) => !(x.kind === 'organisation' && x.refId === orgId));
    const chosen = LEVELS.find((l) => l === level);
    if (chosen) scopes.push({ kind: 'organisation', refId: orgId, level: chosen });
    setScopes.mutate({ user: u, scopes });
  };
  return (
    <Stack>
      <Text size="sm">
        Who can view, edit or administer the record of each school. A user limited to nothing reaches every school of the trust at their role&apos;s level. A user limited to
        some schools reaches only those, and no site&apos;s sign-in unless they are limited to sites too; one limited to sites alone reaches no school&apos;s record. Sites are given, and
        a whole reach seen at once, in <AppLink to="/settings/users">Settings › Users</AppLink>.
      </Text>
      {isVersionConflict(setScopes.error) && setScopes.variables ? (
        <Alert color="red" role="alert" title="Someone else changed this person’s reach">
          {setScopes.variables.user.name || setScopes.variables.user.email}’s reach was changed by someone else since this page read it, so your change was not saved. The table now shows their reach: make your change again.
        </Alert>
      ) : (
        <FormError error={setScopes.error} />
      )}
      <QueryState query={orgs}>
        {(o) => <QueryState query={users}>{(u) => <AccessTable users={u.items.filter((x) => !x.disabled)} orgs={o.items} setLevel={canManage ? setLevel : null} saving={setScopes.isPending} siteName={names.site} />}</QueryState>}
      </QueryState>
    </Stack>
  );
}

/** What a user reaches of sign-in, beside their record access: giving a whole-trust user a school leaves them no site until one is given too. */
function SitesReached({ user, siteName }: { user: User; siteName: (id: string) => string }) {
  if (user.scopes.length === 0 || user.role === 'owner') return <Text size="sm">All sites</Text>;
  const sites = user.scopes.filter((x) => x.kind === 'site');
  if (sites.length > 0) return <Text size="sm">{sites.map((x) => `${siteName(x.refId)} (${x.level})`).join(', ')}</Text>;
  return (
    <Text size="sm" c="orange.9">
      No sites: will not see Sign-in
    </Text>
  );
}

function AccessTable({
  users,
  orgs,
  setLevel,
  saving,
  siteName,
}: {
  users: User[];
  orgs: Organisation[];
  /** Null for a caller who may not change scopes: the table only reads. */
  setLevel: ((u: User, orgId: string, level: string) => void) | null;
  /** A change is being saved (and the users read again): the next one waits for it. */
  saving: boolean;
  siteName: (id: string) => string;
}) {
  return (
    <Table aria-label="Record access">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>User</Table.Th>
          <Table.Th>Reaches</Table.Th>
          <Table.Th>Sites</Table.Th>
          {orgs.map((o) => (
            <Table.Th key={o.id}>{o.name}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {users.map((u) => {
          const own = u.scopes.filter((x) => x.kind === 'organisation');
          return (
            <Table.Tr key={u.id}>
              <Table.Td>
                {u.name || u.email} <Badge variant="light">{u.role}</Badge>
              </Table.Td>
              <Table.Td>{own.length ? `${own.length} school${own.length === 1 ? '' : 's'}` : u.scopes.length ? 'No school (limited to sites)' : 'The whole trust'}</Table.Td>
              <Table.Td>
                <SitesReached user={u} siteName={siteName} />
              </Table.Td>
              {orgs.map((o) => (
                <Table.Td key={o.id}>
                  <NativeSelect
                    size="xs"
                    aria-label={`${u.email} access to ${o.name}`}
                    value={own.find((x) => x.refId === o.id)?.level ?? ''}
                    disabled={!setLevel || saving || u.role === 'owner'}
                    onChange={(e) => setLevel?.(u, o.id, e.currentTarget.value)}
                    data={[
                      { value: '', label: u.scopes.length ? 'No access' : 'By role' },
                      { value: 'view', label: 'View' },
                      { value: 'edit', label: 'Edit' },
                      { value: 'administer', label: 'Administer' },
                    ]}
                  />
                </Table.Td>
              ))}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

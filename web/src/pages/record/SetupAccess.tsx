import { Badge, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, ok, type Answer, type Body } from '../../api/client';
import { FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { settingsKeys, usersQuery } from '../settings/queries';
import { organisationsQuery } from './queries';

type User = Answer<'/api/users'>['items'][number];
type Scope = Body<'/api/users/{id}/scopes', 'put'>['scopes'][number];
type Organisation = Answer<'/api/record/organisations'>['items'][number];

const LEVELS: Array<Scope['level']> = ['view', 'edit', 'administer'];

/** Record permissions per user and organisation: no scope at all means the whole trust at the user's role; a scope names what the user reaches. */
export function SetupAccess() {
  const users = useQuery(usersQuery());
  const orgs = useQuery(organisationsQuery());
  const queryClient = useQueryClient();
  const setScopes = useMutation({
    mutationFn: ({ id, scopes }: { id: string; scopes: Scope[] }) => ok(client.PUT('/api/users/{id}/scopes', { params: { path: { id } }, body: { scopes } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.users }),
  });
  const setLevel = (u: User, orgId: string, level: string) => {
    const scopes: Scope[] = u.scopes.filter((x) => !(x.kind === 'organisation' && x.refId === orgId));
    const chosen = LEVELS.find((l) => l === level);
    if (chosen) scopes.push({ kind: 'organisation', refId: orgId, level: chosen });
    setScopes.mutate({ id: u.id, scopes });
  };
  return (
    <Stack>
      <Text size="sm">
        Who can view, edit or administer the record of each school. A user limited to nothing reaches every school of the trust at their role&apos;s level. A user limited to
        some schools reaches only those, and no site&apos;s sign-in unless they are limited to sites too; one limited to sites alone reaches no school&apos;s record.
      </Text>
      <FormError error={setScopes.error} />
      <QueryState query={orgs}>
        {(o) => <QueryState query={users}>{(u) => <AccessTable users={u.items.filter((x) => !x.disabled)} orgs={o.items} setLevel={setLevel} />}</QueryState>}
      </QueryState>
    </Stack>
  );
}

function AccessTable({ users, orgs, setLevel }: { users: User[]; orgs: Organisation[]; setLevel: (u: User, orgId: string, level: string) => void }) {
  return (
    <Table aria-label="Record access">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>User</Table.Th>
          <Table.Th>Reaches</Table.Th>
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
              {orgs.map((o) => (
                <Table.Td key={o.id}>
                  <NativeSelect
                    size="xs"
                    aria-label={`${u.email} access to ${o.name}`}
                    value={own.find((x) => x.refId === o.id)?.level ?? ''}
                    onChange={(e) => setLevel(u, o.id, e.currentTarget.value)}
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

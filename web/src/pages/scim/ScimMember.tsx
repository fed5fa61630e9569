import { Anchor, Badge, Card, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorState, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
type Multi = { value?: string; type?: string; primary?: boolean };
type ScimUser = {
  userName?: string;
  externalId?: string;
  active?: boolean;
  displayName?: string;
  title?: string;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  emails?: Multi[];
  phoneNumbers?: Multi[];
  [ENTERPRISE]?: { employeeNumber?: string; department?: string; manager?: { value?: string } };
};
type Detail = { memberId: string; groupId: string; user: ScimUser; idpGroups: Array<{ id: string; displayName: string }> };

const multi = (list: Multi[] | undefined) => (list ?? []).map((m) => `${m.value ?? ''}${m.type ? ` (${m.type}${m.primary ? ', primary' : ''})` : m.primary ? ' (primary)' : ''}`).join('; ');

/** What the identity provider sent for a member of a SCIM group. */
export default function ScimMember() {
  const { memberId = '' } = useParams();
  const detail = useApi<Detail>(`/api/scim/members/${memberId}`);
  if (detail.error)
    return (
      <>
        <PageHeader title="SCIM member" />
        <ErrorState error={detail.error} onRetry={detail.reload} />
      </>
    );
  if (!detail.data) return <LoadingState />;
  const { user, idpGroups, groupId } = detail.data;
  const ent = user[ENTERPRISE] ?? {};
  const rows: Array<[string, string]> = [
    ['userName', user.userName ?? ''],
    ['Display name', user.displayName ?? ''],
    ['Given name', user.name?.givenName ?? ''],
    ['Family name', user.name?.familyName ?? ''],
    ['Formatted name', user.name?.formatted ?? ''],
    ['Emails', multi(user.emails)],
    ['Phone numbers', multi(user.phoneNumbers)],
    ['Title (role)', user.title ?? ''],
    ['External id', user.externalId ?? ''],
    ['Employee number', ent.employeeNumber ?? ''],
    ['Department', ent.department ?? ''],
    ['Manager', ent.manager?.value ?? ''],
    ['Identity provider groups', idpGroups.map((g) => g.displayName).join(', ')],
  ];
  return (
    <>
      <PageHeader title={user.displayName ?? user.userName ?? 'SCIM user'} description="The attributes your identity provider sent for this member.">
        <Anchor component={Link} to={`/signin/groups/${groupId}`}>
          Back to the group
        </Anchor>
      </PageHeader>
      <Card withBorder padding="lg">
        <Table aria-label="SCIM attributes">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th>Status</Table.Th>
              <Table.Td>{user.active === false ? <Badge color="gray">Deactivated (archived)</Badge> : <Badge color="teal">Active</Badge>}</Table.Td>
            </Table.Tr>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th>{label}</Table.Th>
                <Table.Td>{value || <Text c="dimmed">—</Text>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </>
  );
}

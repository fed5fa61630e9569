import { Badge, Card, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { AppLink, ErrorState, LoadingState, PageHeader } from '../../components/common';
import { scimMemberQuery } from './queries';

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

const multi = (list: Multi[] | undefined) => (list ?? []).map((m) => `${m.value ?? ''}${m.type ? ` (${m.type}${m.primary ? ', primary' : ''})` : m.primary ? ' (primary)' : ''}`).join('; ');

/**
 * What the identity provider sent for a member of a SCIM group. The API answers the stored SCIM
 * document as it came (any JSON object); `ScimUser` names the attributes this page shows.
 */
export default function ScimMember() {
  const { memberId = '' } = useParams();
  const detail = useQuery(scimMemberQuery(memberId));
  if (detail.isError)
    return (
      <>
        <PageHeader title="SCIM member" />
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      </>
    );
  if (!detail.data) return <LoadingState />;
  const { idpGroups, groupId } = detail.data;
  const user: ScimUser = detail.data.user;
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
        <AppLink to={`/signin/groups/${groupId}`}>Back to the group</AppLink>
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

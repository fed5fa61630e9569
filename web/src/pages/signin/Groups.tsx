import { Badge, Button, Card, Checkbox, ColorInput, Group, MultiSelect, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { client, ok, type Body } from '../../api/client';
import { AppLink, FormError, PageHeader } from '../../components/common';
import { DuplicateNameNote, sameName } from '../../components/DuplicateNameNote';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { userCan, useMe, useSiteScoped } from '../../session';
import { groupsQuery, signinKeys, sitesQuery } from './queries';

type GroupType = Body<'/api/signin/groups', 'post'>['type'];

export const GROUP_TYPES: Array<{ value: GroupType; label: string; help: string }> = [
  { value: 'standard', label: 'Standard', help: 'Visitors who give their details each time' },
  { value: 'repeat', label: 'Repeat', help: 'A roster of known people (staff, contractors, volunteers)' },
  { value: 'scim', label: 'SCIM', help: 'A roster that only your identity provider manages' },
];

/** Groups: who signs in, and how. The type is chosen once. */
export default function Groups() {
  const me = useMe();
  const siteScoped = useSiteScoped();
  const groups = useQuery(groupsQuery());
  return (
    <>
      <PageHeader title="Groups" description="Each group has its own sign-in options, contacts and (for repeat and SCIM groups) members." />
      <Stack gap="lg">
        {/* An admin limited to some sites shows a new group at one or more of theirs (the server refuses it shown nowhere). */}
        {userCan(me.user, 'signin.manage') ? <CreateGroup siteScoped={siteScoped} existing={(groups.data?.items ?? []).filter((g) => !g.archived)} /> : null}
        <QueryState query={groups} empty="No groups yet.">
          {(data) => (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Group</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Safety check</Table.Th>
                  <Table.Th>Sites</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((g) => (
                  <Table.Tr key={g.id}>
                    <Table.Td>
                      <Group gap="xs">
                        <Badge color={g.colour} variant="filled" size="xs" circle aria-hidden="true">
                          {' '}
                        </Badge>
                        <AppLink to={`/signin/groups/${g.id}`}>{g.name}</AppLink>
                        {g.isStaffGroup ? <Badge variant="light">staff</Badge> : null}
                        {g.hasPin ? (
                          <Badge variant="light" color="gray">
                            PIN
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>{GROUP_TYPES.find((t) => t.value === g.type)?.label}</Table.Td>
                    <Table.Td>{g.options.safetyCheckMode}</Table.Td>
                    <Table.Td>{g.siteIds.length}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Stack>
    </>
  );
}

function CreateGroup({ siteScoped, existing }: { siteScoped: boolean; existing: ReadonlyArray<{ name: string }> }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sites = useQuery(sitesQuery());
  const form = useForm({
    initialValues: { name: '', type: 'repeat' as GroupType, colour: '#1c7ed6', isStaffGroup: false, siteIds: [] as string[] },
    validate: { siteIds: (v) => (siteScoped && v.length === 0 ? 'Choose one or more of your sites' : null) },
  });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/signin/groups', { body: { ...v, isStaffGroup: v.type !== 'standard' && v.isStaffGroup } })),
    onSuccess: async (g) => {
      await queryClient.invalidateQueries({ queryKey: signinKeys.groups });
      void navigate(`/signin/groups/${g.id}`);
    },
  });
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} aria-labelledby="new-group">
      <Title order={2} size="h4" id="new-group" mb="sm">
        Add a group
      </Title>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <Select label="Type (cannot be changed later)" data={GROUP_TYPES.map((t) => ({ value: t.value, label: `${t.label} — ${t.help}` }))} allowDeselect={false} {...form.getInputProps('type')} />
          <ColorInput label="Colour" format="hex" {...form.getInputProps('colour')} />
        </Group>
        <DuplicateNameNote what="group" match={sameName(form.getValues().name, existing)} />
        <MultiSelect
          label="Shown at"
          description={siteScoped ? 'The sites whose kiosks show it (one or more of yours)' : 'The sites whose kiosks show it (you can add it to sites later)'}
          required={siteScoped}
          data={(sites.data?.items ?? []).map((site) => ({ value: site.id, label: site.name }))}
          searchable
          {...form.getInputProps('siteIds')}
        />
        {form.getValues().type !== 'standard' ? <Checkbox label="Staff group" {...form.getInputProps('isStaffGroup', { type: 'checkbox' })} /> : null}
        <Group>
          <Button type="submit" loading={submit.busy}>
            Add group
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

import { ActionIcon, Alert, Anchor, Badge, Button, Card, Checkbox, ColorInput, FileButton, Group, List, Modal, MultiSelect, NumberInput, Pagination, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { userCan, useCan, useMe } from '../../session';
import { groupLinkQuery, integrationSettingsQuery } from '../integrations/queries';
import { OfflinePolicyFields } from './OfflinePolicyFields';
import { contactChoices, contactsError, contactsNotTold, whyNotTold, withoutContactsErrors, type ContactCandidate } from './contacts';
import { contactCandidatesQuery, groupQuery, memberQuery, membersQuery, signinKeys, sitesQuery } from './queries';
import { SAFETY_MODES, type CustomField, type SignInOptions } from './signinApi';

type SigninGroup = Answer<'/api/signin/groups/{id}'>;
type Member = Answer<'/api/signin/members/{id}'>;

/** One group: its settings and sign-in options, and its members (repeat and SCIM groups). */
export default function GroupDetail() {
  const { id = '' } = useParams();
  const group = useQuery(groupQuery(id));
  return <QueryState query={group}>{(g) => <GroupPage group={g} />}</QueryState>;
}

function GroupPage({ group: g }: { group: SigninGroup }) {
  const me = useMe();
  const queryClient = useQueryClient();
  // A group shown at a site beyond a site-scoped admin's is seen, but changed only by one who holds all its sites (the server answers 403).
  const mySites = me.user.scopes.filter((s) => s.kind === 'site').map((s) => s.refId);
  const sharedBeyondMine = mySites.length > 0 && !(g.siteIds.length > 0 && g.siteIds.every((id) => mySites.includes(id)));
  const canManage = userCan(me.user, 'signin.manage') && !sharedBeyondMine;
  const archive = useMutation({
    mutationFn: () => ok(client.POST('/api/signin/groups/{id}/archive', { params: { path: { id: g.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: signinKeys.groups }),
  });
  return (
    <>
      <PageHeader title={g.name} description={`${g.type === 'standard' ? 'Standard group: visitors give their details each time.' : g.type === 'scim' ? 'SCIM group: members come from your identity provider.' : 'Repeat group: a roster of known people.'}${g.archived ? ' (archived)' : ''}`}>
        {g.type === 'scim' && userCan(me.user, 'scim.manage') ? (
          <Anchor component={Link} to={`/scim/groups/${g.id}`}>
            SCIM settings and activity
          </Anchor>
        ) : null}
        {g.type !== 'standard' && userCan(me.user, 'integration.read') ? (
          <Anchor component={Link} to={`/integrations/groups/${g.id}`}>
            Integration settings (organisation, rating systems)
          </Anchor>
        ) : null}
        {canManage && !g.archived ? (
          <ConfirmButton color="red" variant="light" title="Archive this group?" message="It disappears from kiosks; its history is kept." confirmLabel="Archive" onConfirm={() => archive.mutateAsync()}>
            Archive
          </ConfirmButton>
        ) : null}
      </PageHeader>
      <Stack gap="lg">
        {userCan(me.user, 'signin.manage') && sharedBeyondMine ? (
          <Alert color="gray" title="Shared with other sites" data-testid="group-shared-beyond-scope">
            This group is shown at sites beyond yours, so its settings and archiving are left to an administrator of every one of them (your trust&apos;s central team).
          </Alert>
        ) : null}
        <ShownOnSites group={g} canManage={canManage} />
        {canManage ? <GroupSettings key={g.id + g.options.agreement?.version} group={g} /> : null}
        {g.type !== 'standard' ? <Members group={g} canEdit={userCan(me.user, 'signin.operate')} /> : null}
      </Stack>
    </>
  );
}

/** Where the group is offered: a kiosk shows only its site's groups, and a new group is on no site yet. */
function ShownOnSites({ group, canManage }: { group: SigninGroup; canManage: boolean }) {
  const sites = useQuery(sitesQuery());
  if (group.archived) return null;
  if (group.siteIds.length === 0) {
    return (
      <Alert color="yellow" title="Not on any site yet">
        No kiosk shows this group until it is added to a site.{' '}
        {canManage ? (
          <>
            Add it on{' '}
            <Anchor component={Link} to="/signin/sites">
              Sign-in › Sites
            </Anchor>{' '}
            (“Add a group”, then “Save groups”).
          </>
        ) : (
          'Ask an admin to add it to a site.'
        )}
      </Alert>
    );
  }
  const names = (sites.data?.items ?? []).filter((s) => group.siteIds.includes(s.id)).map((s) => s.name);
  return (
    <Text size="sm">
      Shown on the kiosks of:{' '}
      <Anchor component={Link} to="/signin/sites">
        {names.length > 0 ? names.join(', ') : `${group.siteIds.length} site${group.siteIds.length === 1 ? '' : 's'}`}
      </Anchor>
    </Text>
  );
}

const fieldId = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'f$1').slice(0, 40) || 'field';

type SettingsValues = { name: string; colour: string; isStaffGroup: boolean; contactIds: string[]; options: SignInOptions; pin: string; clearPin: boolean };

/**
 * The group's contacts, told of refusals and flags at its kiosks: chosen among the users who reach
 * one of its sites; a contact who no longer does, or whose account is disabled, is marked, and
 * named above the picker, to be taken off.
 */
function ContactsPicker({ candidates, value, onChange, error }: { candidates: readonly ContactCandidate[]; value: string[]; onChange: (ids: string[]) => void; error: string | undefined }) {
  const notTold = contactsNotTold(candidates, value);
  return (
    <Stack gap={4}>
      {notTold.length > 0 ? (
        <Alert color="yellow" title="Contacts who are not told" data-testid="contacts-not-told">
          <List size="sm">
            {notTold.map((u) => (
              <List.Item key={u.id}>
                {u.name || u.email}: {whyNotTold(u)}
              </List.Item>
            ))}
          </List>
          {notTold.length === 1 ? 'They are' : 'Each is'} never told of this group’s events. Remove {notTold.length === 1 ? 'them' : 'each'} from the contacts to save, or ask for their reach to take in one of its sites, or their account to be enabled (Settings › Users).
        </Alert>
      ) : null}
      <MultiSelect
        label="Contacts (notified of this group's events)"
        description="People who reach one of the sites this group is shown at."
        data={contactChoices(candidates, value)}
        searchable
        value={value}
        onChange={onChange}
        error={error}
      />
    </Stack>
  );
}

function GroupSettings({ group }: { group: SigninGroup }) {
  const queryClient = useQueryClient();
  // Only active users who reach one of the group's sites are offered (the server refuses the others, 400 contact_out_of_reach or contact_disabled).
  const candidates = useQuery(contactCandidatesQuery(group.id));
  const form = useForm<SettingsValues>({
    initialValues: { name: group.name, colour: group.colour, isStaffGroup: group.isStaffGroup, contactIds: group.contactIds, options: group.options, pin: '', clearPin: false },
  });
  const submit = useFormSubmit(form, {
    mutationFn: (v) =>
      ok(
        client.PATCH('/api/signin/groups/{id}', {
          params: { path: { id: group.id } },
          body: {
            name: v.name,
            colour: v.colour,
            ...(group.type !== 'standard' ? { isStaffGroup: v.isStaffGroup } : {}),
            contactIds: v.contactIds,
            options: { ...v.options, agreement: v.options.agreement?.text.trim() ? { text: v.options.agreement.text } : null },
            ...(v.clearPin ? { pin: null } : v.pin ? { pin: v.pin } : {}),
          },
        }),
      ),
    onSuccess: () => {
      form.setFieldValue('pin', '');
      return queryClient.invalidateQueries({ queryKey: signinKeys.groups });
    },
  });
  const { options } = form.getValues();
  const customFields = options.customFields;
  const setField = (i: number, f: Partial<CustomField>) => form.setFieldValue(`options.customFields.${i}`, { ...customFields[i]!, ...f });
  const a = options.autoSignOut;
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} aria-labelledby="group-settings">
      <Title order={2} size="h4" id="group-settings" mb="sm">
        Settings and sign-in options
      </Title>
      <Stack gap="md">
        <FormError error={submit.formError} />
        {submit.done ? (
          <Alert color="teal" role="status">
            Saved.
          </Alert>
        ) : null}
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <ColorInput label="Colour" format="hex" {...form.getInputProps('colour')} />
        </Group>
        {group.type !== 'standard' ? <Checkbox label="Staff group" {...form.getInputProps('isStaffGroup', { type: 'checkbox' })} /> : null}
        <ContactsPicker
          candidates={candidates.data?.items ?? []}
          value={form.getValues().contactIds}
          onChange={(ids) => {
            form.setFieldValue('contactIds', ids);
            form.setErrors(withoutContactsErrors(form.errors));
          }}
          error={contactsError(form.errors, form.getValues().contactIds, candidates.data?.items ?? [])}
        />
        <Select
          label="Safety check"
          data={SAFETY_MODES.map((m) => ({ value: m.value, label: m.label }))}
          allowDeselect={false}
          {...form.getInputProps('options.safetyCheckMode')}
          onChange={(v) => form.setFieldValue('options.safetyCheckMode', (v ?? 'reject') as SignInOptions['safetyCheckMode'])}
        />
        {group.type !== 'standard' ? <RecordCheckNote groupId={group.id} /> : null}
        {options.safetyCheckMode !== 'off' ? (
          <OfflinePolicyFields value={options.offline} onChange={(v) => form.setFieldValue('options.offline', v)} error={(f) => form.errors[`options.offline.${f}`] as string | undefined} />
        ) : null}
        <Switch label="Show on the fire list" {...form.getInputProps('options.showOnFireList', { type: 'checkbox' })} />
        <Switch label="Print a badge" {...form.getInputProps('options.printBadge', { type: 'checkbox' })} />
        <Switch
          label="Show why someone is refused on the kiosk"
          description="Off: the lobby screen says “Please see reception” and the reasons go to the contacts above and the visit history."
          {...form.getInputProps('options.showReasonsOnKiosk', { type: 'checkbox' })}
        />
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Automatic sign-out"
            data={[
              { value: 'never', label: 'Never' },
              { value: 'at_time', label: 'At a time of day' },
              { value: 'after_hours', label: 'After a number of hours' },
            ]}
            value={a.mode}
            onChange={(v) => form.setFieldValue('options.autoSignOut', v === 'at_time' ? { mode: 'at_time', time: '18:00' } : v === 'after_hours' ? { mode: 'after_hours', hours: 8 } : { mode: 'never' })}
            allowDeselect={false}
          />
          {a.mode === 'at_time' ? <TextInput label="Time (site's time zone)" type="time" value={a.time} onChange={(e) => form.setFieldValue('options.autoSignOut', { mode: 'at_time', time: e.currentTarget.value })} /> : null}
          {a.mode === 'after_hours' ? <NumberInput label="Hours" min={0.5} max={72} step={0.5} value={a.hours} onChange={(v) => form.setFieldValue('options.autoSignOut', { mode: 'after_hours', hours: Number(v) || 1 })} /> : null}
        </Group>
        <Group align="flex-end">
          <PasswordInput label={group.hasPin ? 'New kiosk PIN (leave empty to keep it)' : 'Kiosk PIN (optional, 4–8 digits)'} inputMode="numeric" autoComplete="new-password" {...form.getInputProps('pin')} />
          {group.hasPin ? <Checkbox label="Remove the PIN" {...form.getInputProps('clearPin', { type: 'checkbox' })} /> : null}
        </Group>
        <Stack gap="xs">
          <Text fw={600}>Questions at sign-in</Text>
          {customFields.map((f, i) => (
            <Card key={i} withBorder padding="sm">
              <Group align="flex-end" wrap="wrap">
                <TextInput
                  label="Question"
                  {...form.getInputProps(`options.customFields.${i}.label`)}
                  onChange={(e) => setField(i, { label: e.currentTarget.value, id: f.id || fieldId(e.currentTarget.value) })}
                />
                <Select
                  label="Answer"
                  data={[
                    { value: 'text', label: 'Text' },
                    { value: 'yesno', label: 'Yes / no' },
                    { value: 'choice', label: 'Choice' },
                  ]}
                  value={f.type}
                  onChange={(v) => setField(i, { type: (v ?? 'text') as CustomField['type'], choices: v === 'choice' ? (f.choices ?? ['']) : undefined, rejectOn: undefined })}
                  allowDeselect={false}
                />
                {f.type === 'choice' ? <TextInput label="Choices (comma separated)" value={(f.choices ?? []).join(', ')} onChange={(e) => setField(i, { choices: e.currentTarget.value.split(',').map((c) => c.trim()) })} /> : null}
                <Checkbox label="Required" checked={f.required} onChange={(e) => setField(i, { required: e.currentTarget.checked })} />
                <ActionIcon variant="subtle" color="red" aria-label={`Remove question ${f.label}`} onClick={() => form.removeListItem('options.customFields', i)}>
                  ×
                </ActionIcon>
              </Group>
              {f.type !== 'text' ? (
                <Group align="flex-end" mt="xs" wrap="wrap">
                  <Select label="Reject the sign-in on this answer" clearable data={f.type === 'yesno' ? ['yes', 'no'] : (f.choices ?? []).filter(Boolean)} value={f.rejectOn?.answer ?? null} onChange={(v) => setField(i, { rejectOn: v ? { answer: v, message: f.rejectOn?.message ?? '' } : undefined })} />
                  {f.rejectOn ? <TextInput label="Message shown" style={{ flex: 1 }} value={f.rejectOn.message} onChange={(e) => setField(i, { rejectOn: { answer: f.rejectOn!.answer, message: e.currentTarget.value } })} /> : null}
                </Group>
              ) : null}
            </Card>
          ))}
          <Group>
            <Button variant="default" size="xs" onClick={() => form.insertListItem('options.customFields', { id: `q${customFields.length + 1}`, label: '', type: 'yesno', required: true } satisfies CustomField)}>
              Add a question
            </Button>
          </Group>
        </Stack>
        <Textarea
          label="Agreement to accept (asked again only when you change its text)"
          autosize
          minRows={2}
          value={options.agreement?.text ?? ''}
          onChange={(e) => form.setFieldValue('options.agreement', e.currentTarget.value ? { text: e.currentTarget.value } : null)}
        />
        <Group>
          <Button type="submit" loading={submit.busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

const PAGE = 25;

function Members({ group, canEdit }: { group: SigninGroup; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [archived, setArchived] = useState<'active' | 'archived'>('active');
  const [page, setPage] = useState(1);
  const list = useQuery({ ...membersQuery(group.id, { q, archived, limit: PAGE, offset: (page - 1) * PAGE }), placeholderData: keepPreviousData });
  const scim = group.type === 'scim';
  const canSeeScim = useCan('scim.manage');
  const invalidate = () => queryClient.invalidateQueries({ queryKey: signinKeys.members(group.id) });
  const setArchivedOf = useMutation({
    mutationFn: (m: { id: string; archived: boolean }) =>
      m.archived ? ok(client.POST('/api/signin/members/{id}/restore', { params: { path: { id: m.id } } })) : ok(client.POST('/api/signin/members/{id}/archive', { params: { path: { id: m.id } } })),
    onSuccess: invalidate,
  });
  const total = list.data?.total;
  return (
    <Card withBorder component="section" aria-labelledby="members-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="members-title">
          Members {total !== undefined ? <Badge variant="light">{total}</Badge> : null}
        </Title>
        {scim ? <Alert color="blue">Members of a SCIM group are managed by the identity provider; they cannot be added or changed here.</Alert> : null}
        {canEdit && !scim ? <AddMember groupId={group.id} /> : null}
        {canEdit && !scim ? <ImportMembers groupId={group.id} /> : null}
        <Group>
          <TextInput
            placeholder="Search by name"
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              setPage(1);
            }}
            aria-label="Search members"
          />
          <Select
            data={[
              { value: 'active', label: 'Active' },
              { value: 'archived', label: 'Archived' },
            ]}
            value={archived}
            onChange={(v) => {
              setArchived((v ?? 'active') as 'active' | 'archived');
              setPage(1);
            }}
            allowDeselect={false}
            aria-label="Show"
          />
        </Group>
        <FormError error={setArchivedOf.error} />
        <QueryState
          query={list}
          empty={
            <Text c="dimmed">
              {q.trim()
                ? `No ${archived === 'archived' ? 'archived ' : ''}member matches “${q.trim()}”.`
                : archived === 'archived'
                  ? 'No archived members.'
                  : scim
                    ? 'No members yet: they appear here when your identity provider sends them (paste this group’s SCIM URL and token into it).'
                    : canEdit
                      ? 'No members yet: add them one by one above, or import a CSV (download the template for its columns).'
                      : 'No members yet.'}
            </Text>
          }
        >
          {(data) => (
            <>
              <Table.ScrollContainer minWidth={640}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Role</Table.Th>
                      <Table.Th>Email</Table.Th>
                      <Table.Th>Dates</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((m) => (
                      <Table.Tr key={m.id}>
                        <Table.Td>
                          {scim && canSeeScim ? (
                            <Anchor component={Link} to={`/scim/members/${m.id}`} size="sm">
                              {m.fullName}
                            </Anchor>
                          ) : (
                            m.fullName
                          )}
                        </Table.Td>
                        <Table.Td>{m.role}</Table.Td>
                        <Table.Td>{m.email}</Table.Td>
                        <Table.Td>{[m.startDate, m.endDate].filter(Boolean).join(' – ')}</Table.Td>
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            {canEdit ? (
                              <Anchor href={`/api/signin/members/${m.id}/qr.svg`} target="_blank" size="sm">
                                QR code
                              </Anchor>
                            ) : null}
                            {canEdit && !scim ? <EditMember memberId={m.id} name={m.fullName} onSaved={invalidate} /> : null}
                            {canEdit && !scim ? (
                              <Button size="compact-xs" variant="subtle" loading={setArchivedOf.isPending && setArchivedOf.variables.id === m.id} onClick={() => setArchivedOf.mutate({ id: m.id, archived: m.archived })}>
                                {m.archived ? 'Restore' : 'Archive'}
                              </Button>
                            ) : null}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {data.total > PAGE ? <Pagination total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} /> : null}
            </>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}

function AddMember({ groupId }: { groupId: string }) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { fullName: '', role: '', email: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/signin/groups/{groupId}/members', { params: { path: { groupId } }, body: { fullName: v.fullName, role: v.role, email: v.email || null } })),
    onSuccess: () => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: signinKeys.members(groupId) });
    },
  });
  return (
    <form onSubmit={submit.onSubmit} aria-label="Add a member">
      <FormError error={submit.formError} />
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Full name" required {...form.getInputProps('fullName')} />
        <TextInput label="Role" {...form.getInputProps('role')} />
        <TextInput label="Email" type="email" {...form.getInputProps('email')} />
        <Button type="submit" loading={submit.busy}>
          Add member
        </Button>
      </Group>
    </form>
  );
}

function ImportMembers({ groupId }: { groupId: string }) {
  const queryClient = useQueryClient();
  const [csv, setCsv] = useState<string | null>(null);
  const path = { params: { path: { groupId } } };
  const preview = useMutation({ mutationFn: (text: string) => ok(client.POST('/api/signin/groups/{groupId}/members/import/preview', { ...path, body: { csv: text } })) });
  const commit = useMutation({
    mutationFn: (text: string) => ok(client.POST('/api/signin/groups/{groupId}/members/import', { ...path, body: { csv: text } })),
    onSuccess: () => {
      preview.reset();
      setCsv(null);
      return queryClient.invalidateQueries({ queryKey: signinKeys.members(groupId) });
    },
  });
  const load = async (file: File | null) => {
    if (!file) return;
    commit.reset();
    const text = await file.text();
    setCsv(text);
    preview.mutate(text);
  };
  const p = preview.data;
  return (
    <Stack gap="xs">
      <Group>
        <FileButton onChange={(f) => void load(f)} accept=".csv,text/csv">
          {(props) => (
            <Button variant="default" {...props}>
              Import from CSV…
            </Button>
          )}
        </FileButton>
        <Anchor href={`/api/signin/groups/${groupId}/members/import/template.csv`} size="sm">
          Download the template
        </Anchor>
      </Group>
      <FormError error={preview.error ?? commit.error} />
      {commit.data ? <Alert color="teal">{commit.data.created} members imported.</Alert> : null}
      {p ? (
        p.valid ? (
          <Alert color="teal" title={`${p.total} rows are ready`}>
            <Button mt="xs" loading={commit.isPending} onClick={() => csv !== null && commit.mutate(csv)}>
              Import {p.total} members
            </Button>
          </Alert>
        ) : (
          <Alert color="red" title={`${p.errors.length} problem(s): nothing will be imported until every row is right`}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Row</Table.Th>
                  <Table.Th>Column</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.errors.map((e, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{e.row}</Table.Td>
                    <Table.Td>{e.field ?? ''}</Table.Td>
                    <Table.Td>{e.reason}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Alert>
        )
      ) : null}
    </Stack>
  );
}

/** Whether the Central Record counts in this group's safety check, with where to change it. */
function RecordCheckNote({ groupId }: { groupId: string }) {
  const can = useCan('integration.read');
  const settings = useQuery({ ...integrationSettingsQuery(), enabled: can });
  const link = useQuery({ ...groupLinkQuery(groupId), enabled: can });
  if (!can || !settings.data || !link.data) return null;
  const on = settings.data.includeRecordInSafetyCheck;
  const l = link.data.link;
  return (
    <Text size="sm" c="dimmed" aria-label="Central Record in the safety check">
      {l
        ? on
          ? `The Central Record's criteria count in this group's safety check (linked to ${l.organisationName ?? 'an organisation'}).`
          : "The Central Record's criteria are not part of the safety check."
        : 'This group is not linked to a Central Record organisation.'}{' '}
      <Anchor component={Link} to="/signin/safety" size="sm" underline="always">
        Safety check settings
      </Anchor>
      {' · '}
      <Anchor component={Link} to={`/integrations/groups/${groupId}`} size="sm" underline="always">
        Integration settings
      </Anchor>
    </Text>
  );
}

/** Edit one member (name, role, email, phone, dates, custom fields) in a dialog; the version guards against a lost update. */
function EditMember({ memberId, name, onSaved }: { memberId: string; name: string; onSaved: () => void }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button size="compact-xs" variant="subtle" onClick={() => setOpened(true)} aria-label={`Edit ${name}`}>
        Edit
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Edit ${name}`} centered>
        {opened ? <EditMemberForm memberId={memberId} onDone={() => (setOpened(false), onSaved())} /> : null}
      </Modal>
    </>
  );
}

function EditMemberForm({ memberId, onDone }: { memberId: string; onDone: () => void }) {
  // Always the member as it is now: its version guards the edit against a lost update.
  const member = useQuery({ ...memberQuery(memberId), staleTime: 0 });
  return <QueryState query={member}>{(m) => <MemberFields memberId={memberId} member={m} onDone={onDone} />}</QueryState>;
}

function MemberFields({
  memberId,
  member,
  onDone,
}: {
  memberId: string;
  member: Member;
  onDone: () => void;
}) {
  const custom = Object.entries(member.customFields).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  const form = useForm({
    initialValues: {
      fullName: member.fullName,
      role: member.role,
      email: member.email ?? '',
      phone: member.phone ?? '',
      startDate: member.startDate ?? '',
      endDate: member.endDate ?? '',
      customFields: Object.fromEntries(custom.map(([k, v]) => [k, String(v)])) as Record<string, string>,
    },
  });
  const submit = useFormSubmit(form, {
    mutationFn: (v) =>
      ok(
        client.PATCH('/api/signin/members/{id}', {
          params: { path: { id: memberId } },
          body: {
            version: member.version,
            fullName: v.fullName,
            role: v.role,
            email: v.email.trim() || null,
            phone: v.phone.trim() || null,
            startDate: v.startDate || null,
            endDate: v.endDate || null,
            ...(custom.length ? { customFields: { ...member.customFields, ...v.customFields } as Record<string, string> } : {}),
          },
        }),
      ),
    onSuccess: onDone,
  });
  return (
    <form onSubmit={submit.onSubmit} noValidate>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <TextInput label="Full name" required {...form.getInputProps('fullName')} />
        <TextInput label="Role" {...form.getInputProps('role')} />
        <TextInput label="Email" type="email" {...form.getInputProps('email')} />
        <TextInput label="Phone" {...form.getInputProps('phone')} />
        <Group grow>
          <TextInput label="Start date" type="date" {...form.getInputProps('startDate')} />
          <TextInput label="End date" type="date" {...form.getInputProps('endDate')} />
        </Group>
        {custom.map(([k]) => (
          <TextInput key={k} label={k} {...form.getInputProps(`customFields.${k}`)} />
        ))}
        <Group justify="flex-end">
          <Button type="submit" loading={submit.busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

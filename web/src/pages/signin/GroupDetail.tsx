import { ActionIcon, Alert, Anchor, Badge, Button, Card, Checkbox, ColorInput, FileButton, Group, Modal, MultiSelect, NumberInput, Pagination, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { client, ok } from '../../api/client';
import { useFormSubmit } from '../../forms';
import { OfflinePolicyFields } from './OfflinePolicyFields';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, query, type User } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { roleCan, useCan, useMe } from '../../session';
import { SAFETY_MODES, type CustomField, type Group as SigninGroup, type ImportPreview, type Member, type SignInOptions } from './signinApi';

/** One group: its settings and sign-in options, and its members (repeat and SCIM groups). */
export default function GroupDetail() {
  const { id } = useParams();
  const me = useMe();
  const group = useApi<SigninGroup>(`/api/signin/groups/${id}`);
  if (group.error) return <ErrorState error={group.error} onRetry={group.reload} />;
  if (!group.data) return <LoadingState />;
  const g = group.data;
  const canManage = roleCan(me.user.role, 'signin.manage');
  return (
    <>
      <PageHeader title={g.name} description={`${g.type === 'standard' ? 'Standard group: visitors give their details each time.' : g.type === 'scim' ? 'SCIM group: members come from your identity provider.' : 'Repeat group: a roster of known people.'}${g.archived ? ' (archived)' : ''}`}>
        {g.type === 'scim' && roleCan(me.user.role, 'scim.manage') ? (
          <Anchor component={Link} to={`/scim/groups/${g.id}`}>
            SCIM settings and activity
          </Anchor>
        ) : null}
        {g.type !== 'standard' && roleCan(me.user.role, 'integration.read') ? (
          <Anchor component={Link} to={`/integrations/groups/${g.id}`}>
            Integration settings (organisation, rating systems)
          </Anchor>
        ) : null}
        {canManage && !g.archived ? (
          <ConfirmButton color="red" variant="light" title="Archive this group?" message="It disappears from kiosks; its history is kept." confirmLabel="Archive" onConfirm={async () => (await api.post(`/api/signin/groups/${g.id}/archive`), group.reload())}>
            Archive
          </ConfirmButton>
        ) : null}
      </PageHeader>
      <Stack gap="lg">
        {canManage ? <GroupSettings key={g.id + g.options.agreement?.version} group={g} onSaved={group.reload} /> : null}
        {g.type !== 'standard' ? <Members group={g} canEdit={roleCan(me.user.role, 'signin.operate')} /> : null}
      </Stack>
    </>
  );
}

const fieldId = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'f$1').slice(0, 40) || 'field';

function GroupSettings({ group, onSaved }: { group: SigninGroup; onSaved: () => void }) {
  const users = useApi<{ items: User[] }>('/api/users');
  const [name, setName] = useState(group.name);
  const [colour, setColour] = useState(group.colour);
  const [staff, setStaff] = useState(group.isStaffGroup);
  const [contacts, setContacts] = useState(group.contactIds);
  const [options, setOptions] = useState<SignInOptions>(group.options);
  const [pin, setPin] = useState<string>('');
  const [clearPin, setClearPin] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof SignInOptions>(k: K, v: SignInOptions[K]) => setOptions({ ...options, [k]: v });
  const setField = (i: number, f: Partial<CustomField>) => set('customFields', options.customFields.map((x, j) => (j === i ? { ...x, ...f } : x)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.patch(`/api/signin/groups/${group.id}`, {
        name,
        colour,
        ...(group.type !== 'standard' ? { isStaffGroup: staff } : {}),
        contactIds: contacts,
        options: { ...options, agreement: options.agreement?.text.trim() ? { text: options.agreement.text } : null },
        ...(clearPin ? { pin: null } : pin ? { pin } : {}),
      });
      setSaved(true);
      setPin('');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const a = options.autoSignOut;
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="group-settings">
      <Title order={2} size="h4" id="group-settings" mb="sm">
        Settings and sign-in options
      </Title>
      <Stack gap="md">
        <FormError error={error} fields={['name', 'colour', 'pin', 'contactIds']} />
        {saved ? <Alert color="teal">Saved.</Alert> : null}
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required error={fieldError(error, 'name')} />
          <ColorInput label="Colour" value={colour} onChange={setColour} format="hex" error={fieldError(error, 'colour')} />
        </Group>
        {group.type !== 'standard' ? <Checkbox label="Staff group" checked={staff} onChange={(e) => setStaff(e.currentTarget.checked)} /> : null}
        <MultiSelect label="Contacts (notified of this group's events)" data={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name ? `${u.name} (${u.email})` : u.email }))} value={contacts} onChange={setContacts} searchable error={fieldError(error, 'contactIds')} />
        <Select label="Safety check" data={SAFETY_MODES.map((m) => ({ value: m.value, label: m.label }))} value={options.safetyCheckMode} onChange={(v) => set('safetyCheckMode', (v ?? 'reject') as SignInOptions['safetyCheckMode'])} allowDeselect={false} />
        {group.type !== 'standard' ? <RecordCheckNote groupId={group.id} /> : null}
        {options.safetyCheckMode !== 'off' ? <OfflinePolicyFields value={options.offline} onChange={(v) => set('offline', v)} error={(f) => fieldError(error, `options.offline.${f}`)} /> : null}
        <Switch label="Show on the fire list" checked={options.showOnFireList} onChange={(e) => set('showOnFireList', e.currentTarget.checked)} />
        <Switch label="Print a badge" checked={options.printBadge} onChange={(e) => set('printBadge', e.currentTarget.checked)} />
        <Switch
          label="Show why someone is refused on the kiosk"
          description="Off: the lobby screen says “Please see reception” and the reasons go to the contacts above and the visit history."
          checked={options.showReasonsOnKiosk}
          onChange={(e) => set('showReasonsOnKiosk', e.currentTarget.checked)}
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
            onChange={(v) => set('autoSignOut', v === 'at_time' ? { mode: 'at_time', time: '18:00' } : v === 'after_hours' ? { mode: 'after_hours', hours: 8 } : { mode: 'never' })}
            allowDeselect={false}
          />
          {a.mode === 'at_time' ? <TextInput label="Time (site's time zone)" type="time" value={a.time} onChange={(e) => set('autoSignOut', { mode: 'at_time', time: e.currentTarget.value })} /> : null}
          {a.mode === 'after_hours' ? <NumberInput label="Hours" min={0.5} max={72} step={0.5} value={a.hours} onChange={(v) => set('autoSignOut', { mode: 'after_hours', hours: Number(v) || 1 })} /> : null}
        </Group>
        <Group align="flex-end">
          <PasswordInput label={group.hasPin ? 'New kiosk PIN (leave empty to keep it)' : 'Kiosk PIN (optional, 4–8 digits)'} value={pin} onChange={(e) => setPin(e.currentTarget.value)} inputMode="numeric" autoComplete="new-password" error={fieldError(error, 'pin')} />
          {group.hasPin ? <Checkbox label="Remove the PIN" checked={clearPin} onChange={(e) => setClearPin(e.currentTarget.checked)} /> : null}
        </Group>
        <Stack gap="xs">
          <Text fw={600}>Questions at sign-in</Text>
          {options.customFields.map((f, i) => (
            <Card key={i} withBorder padding="sm">
              <Group align="flex-end" wrap="wrap">
                <TextInput label="Question" value={f.label} onChange={(e) => setField(i, { label: e.currentTarget.value, id: f.id || fieldId(e.currentTarget.value) })} error={fieldError(error, `customFields.${i}.label`)} />
                <Select label="Answer" data={[{ value: 'text', label: 'Text' }, { value: 'yesno', label: 'Yes / no' }, { value: 'choice', label: 'Choice' }]} value={f.type} onChange={(v) => setField(i, { type: (v ?? 'text') as CustomField['type'], choices: v === 'choice' ? (f.choices ?? ['']) : undefined, rejectOn: undefined })} allowDeselect={false} />
                {f.type === 'choice' ? <TextInput label="Choices (comma separated)" value={(f.choices ?? []).join(', ')} onChange={(e) => setField(i, { choices: e.currentTarget.value.split(',').map((c) => c.trim()) })} /> : null}
                <Checkbox label="Required" checked={f.required} onChange={(e) => setField(i, { required: e.currentTarget.checked })} />
                <ActionIcon variant="subtle" color="red" aria-label={`Remove question ${f.label}`} onClick={() => set('customFields', options.customFields.filter((_, j) => j !== i))}>
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
            <Button variant="default" size="xs" onClick={() => set('customFields', [...options.customFields, { id: `q${options.customFields.length + 1}`, label: '', type: 'yesno', required: true }])}>
              Add a question
            </Button>
          </Group>
        </Stack>
        <Textarea label="Agreement to accept (asked again only when you change its text)" autosize minRows={2} value={options.agreement?.text ?? ''} onChange={(e) => set('agreement', e.currentTarget.value ? { text: e.currentTarget.value } : null)} />
        <Group>
          <Button type="submit" loading={busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

const PAGE = 25;

function Members({ group, canEdit }: { group: SigninGroup; canEdit: boolean }) {
  const [q, setQ] = useState('');
  const [archived, setArchived] = useState<'active' | 'archived'>('active');
  const [page, setPage] = useState(1);
  const list = useApi<{ items: Member[]; total: number }>(`/api/signin/groups/${group.id}/members${query({ q, archived, limit: PAGE, offset: (page - 1) * PAGE })}`);
  const [error, setError] = useState<unknown>(null);
  const scim = group.type === 'scim';
  const canSeeScim = useCan('scim.manage');
  useEffect(() => setPage(1), [q, archived]);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="members-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="members-title">
          Members {list.data ? <Badge variant="light">{list.data.total}</Badge> : null}
        </Title>
        {scim ? <Alert color="blue">Members of a SCIM group are managed by the identity provider; they cannot be added or changed here.</Alert> : null}
        {canEdit && !scim ? <AddMember groupId={group.id} onAdded={list.reload} /> : null}
        {canEdit && !scim ? <ImportMembers groupId={group.id} onImported={list.reload} /> : null}
        <Group>
          <TextInput placeholder="Search by name" value={q} onChange={(e) => setQ(e.currentTarget.value)} aria-label="Search members" />
          <Select data={[{ value: 'active', label: 'Active' }, { value: 'archived', label: 'Archived' }]} value={archived} onChange={(v) => setArchived((v ?? 'active') as 'active' | 'archived')} allowDeselect={false} aria-label="Show" />
        </Group>
        <FormError error={error} />
        {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
        <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Dates</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data?.items.map((m) => (
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
                      {canEdit && !scim ? <EditMember memberId={m.id} name={m.fullName} onSaved={list.reload} /> : null}
                      {canEdit && !scim ? (
                        <Button size="compact-xs" variant="subtle" onClick={() => void act(() => api.post(`/api/signin/members/${m.id}/${m.archived ? 'restore' : 'archive'}`))}>
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
        {list.data && list.data.total > PAGE ? <Pagination total={Math.ceil(list.data.total / PAGE)} value={page} onChange={setPage} /> : null}
      </Stack>
    </Card>
  );
}

function AddMember({ groupId, onAdded }: { groupId: string; onAdded: () => void }) {
  const empty = { fullName: '', role: '', email: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post(`/api/signin/groups/${groupId}/members`, { fullName: form.fullName, role: form.role, email: form.email || null });
      setForm(empty);
      onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Add a member">
      <FormError error={error} fields={['fullName', 'role', 'email']} />
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Full name" required value={form.fullName} onChange={(e) => setForm({ ...form, fullName: e.currentTarget.value })} error={fieldError(error, 'fullName')} />
        <TextInput label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })} />
        <TextInput label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={fieldError(error, 'email')} />
        <Button type="submit">Add member</Button>
      </Group>
    </form>
  );
}

function ImportMembers({ groupId, onImported }: { groupId: string; onImported: () => void }) {
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const load = async (file: File | null) => {
    if (!file) return;
    setError(null);
    setDone(null);
    const text = await file.text();
    setCsv(text);
    try {
      setPreview(await api.post<ImportPreview>(`/api/signin/groups/${groupId}/members/import/preview`, { csv: text }));
    } catch (err) {
      setPreview(null);
      setError(err);
    }
  };
  const commit = async () => {
    try {
      const r = await api.post<{ created: number }>(`/api/signin/groups/${groupId}/members/import`, { csv });
      setDone(r.created);
      setPreview(null);
      setCsv(null);
      onImported();
    } catch (err) {
      setError(err);
    }
  };
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
      <FormError error={error} />
      {done !== null ? <Alert color="teal">{done} members imported.</Alert> : null}
      {preview ? (
        preview.valid ? (
          <Alert color="teal" title={`${preview.total} rows are ready`}>
            <Button mt="xs" onClick={() => void commit()}>
              Import {preview.total} members
            </Button>
          </Alert>
        ) : (
          <Alert color="red" title={`${preview.errors.length} problem(s): nothing will be imported until every row is right`}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Row</Table.Th>
                  <Table.Th>Column</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.errors.map((e, i) => (
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
  const me = useMe();
  const can = roleCan(me.user.role, 'integration.read');
  const settings = useApi<{ includeRecordInSafetyCheck: boolean }>(can ? '/api/integration/settings' : null);
  const link = useApi<{ link: { organisationName: string | null } | null }>(can ? `/api/integration/groups/${groupId}/link` : null);
  if (!can || !settings.data || !link.data) return null;
  const on = settings.data.includeRecordInSafetyCheck;
  return (
    <Text size="sm" c="dimmed" aria-label="Central Record in the safety check">
      {link.data.link
        ? on
          ? `The Central Record's criteria count in this group's safety check (linked to ${link.data.link.organisationName ?? 'an organisation'}).`
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
  const member = useApi<{ fullName: string; role: string; email: string | null; phone: string | null; startDate: string | null; endDate: string | null; customFields: Record<string, unknown>; version: number }>(`/api/signin/members/${memberId}`);
  if (member.error) return <ErrorState error={member.error} onRetry={member.reload} />;
  if (!member.data) return <LoadingState />;
  return <MemberFields memberId={memberId} member={member.data} onDone={onDone} />;
}

function MemberFields({
  memberId,
  member,
  onDone,
}: {
  memberId: string;
  member: { fullName: string; role: string; email: string | null; phone: string | null; startDate: string | null; endDate: string | null; customFields: Record<string, unknown>; version: number };
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

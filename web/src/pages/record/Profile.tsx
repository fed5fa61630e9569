import { Alert, Anchor, Badge, Button, Card, FileButton, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { client, ok, type Answer } from '../../api/client';
import { ApiError, ensureCsrf, errorMessage, toApiError } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader, fieldError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { useCan } from '../../session';
import { profileHistoryQuery, profileQuery, recordKeys } from './queries';
import { AsOfPicker, useAsOf } from './AsOfPicker';
import { RatingBadges } from './RecordNav';
import { formatDate, formatDateTime } from '../../format';

type ProfileT = Answer<'/api/record/profiles/{id}'>;
type ProfileCheck = ProfileT['checks'][number];

/** A profile write changes the profile, its history, every list it is in and the dashboard. */
function useProfileChanged() {
  const queryClient = useQueryClient();
  return () => Promise.all([recordKeys.profiles, ['record', 'dashboard']].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

type Draft = Record<string, { value: string; reference: string; evidence: string }>;

const draftOf = (p: ProfileT): Draft =>
  Object.fromEntries(
    p.checks.map((c) => [c.key, { value: c.value === true ? 'yes' : c.value === false ? 'no' : (c.value ?? ''), reference: c.reference ?? '', evidence: c.evidence }]),
  );

/** One profile: its details, ratings and why, every check with evidence, documents and history. */
export default function Profile() {
  const { id = '' } = useParams();
  const [asOf, setAsOf] = useAsOf();
  const profile = useQuery(profileQuery(id, asOf || undefined));
  return <QueryState query={profile}>{(p) => <ProfilePage p={p} asOf={asOf} setAsOf={setAsOf} />}</QueryState>;
}

function ProfilePage({ p, asOf, setAsOf }: { p: ProfileT; asOf: string; setAsOf: (value: string) => void }) {
  const history = useQuery(profileHistoryQuery(p.id));
  const reload = useProfileChanged();
  return (
    <>
      <PageHeader title={`${p.firstName} ${p.lastName}`} description={`${p.role || 'No role'} · ${p.profileType} · ${p.organisationName}${p.status === 'archived' ? ' · archived' : ''}`}>
        <ProfileActions p={p} onChange={reload} />
      </PageHeader>
      <Stack gap="lg">
        <Card withBorder>
          <Group justify="space-between" align="flex-end">
            <RatingBadges ratings={p.ratings} />
            <AsOfPicker value={asOf} onChange={setAsOf} />
          </Group>
          <Text size="xs" c="dimmed" mt={4}>
            As of {formatDate(p.asOf)}
            {p.nextChangeOn ? `; the next date this may change: ${formatDate(p.nextChangeOn)}` : ''}.
          </Text>
          {p.ratings
            .filter((r) => !r.ready)
            .map((r) => (
              <Text key={r.systemId} size="sm" mt="xs">
                <b>{r.name}</b> — {r.problems.map((x) => x.message).join('; ')}
              </Text>
            ))}
        </Card>
        {/* Keyed by version: a saved or reloaded profile starts each form afresh from it. */}
        <DetailsForm key={`d${p.version}`} p={p} onSaved={reload} />
        <FactsForm key={`f${p.version}`} p={p} onSaved={reload} />
        <ChecksForm key={`c${p.version}`} p={p} onSaved={reload} />
        <Documents p={p} onChange={reload} />
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Version history
          </Title>
          <Table aria-label="Version history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Field</Table.Th>
                <Table.Th>Before</Table.Th>
                <Table.Th>After</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data?.items.map((h, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{formatDateTime(h.at)}</Table.Td>
                  <Table.Td>{h.actor}</Table.Td>
                  <Table.Td>{h.field}</Table.Td>
                  <Table.Td>{h.before ?? '—'}</Table.Td>
                  <Table.Td>{h.after ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </Stack>
    </>
  );
}

function ProfileActions({ p, onChange }: { p: ProfileT; onChange: () => Promise<unknown> }) {
  const navigate = useNavigate();
  const canManage = useCan('record.manage');
  const path = { params: { path: { id: p.id } } };
  const archive = useMutation({ mutationFn: () => ok(client.POST('/api/record/profiles/{id}/archive', { ...path, body: { version: p.version } })), onSuccess: onChange });
  const erase = useMutation({
    mutationFn: () => ok(client.DELETE('/api/record/profiles/{id}', path)),
    onSuccess: async () => {
      await navigate('/record/profiles');
      return onChange();
    },
  });
  return (
    <>
      {p.status === 'live' ? (
        <ConfirmButton variant="light" title="Archive this leaver" message="The profile leaves the live record and is kept for the organisation's retention period." confirmLabel="Archive" onConfirm={() => archive.mutateAsync()}>
          Archive leaver
        </ConfirmButton>
      ) : null}
      {canManage ? (
        <>
          <Button component="a" variant="subtle" href={`/api/record/profiles/${p.id}/export`} download>
            Export personal data
          </Button>
          <ConfirmButton color="red" variant="subtle" title="Erase this person" message="Everything held on this person is deleted for good (an audit entry without their data remains)." confirmLabel="Erase" onConfirm={() => erase.mutateAsync()}>
            Erase on request
          </ConfirmButton>
        </>
      ) : null}
    </>
  );
}

const DETAIL_FIELDS = [
  ['firstName', 'First name', 'text'],
  ['lastName', 'Last name', 'text'],
  ['role', 'Role', 'text'],
  ['email', 'Email', 'email'],
  ['phone', 'Phone', 'tel'],
  ['dateOfBirth', 'Date of birth', 'date'],
  ['startDate', 'Start date', 'date'],
  ['leavingDate', 'Leaving date', 'date'],
] as const;
type DetailKey = (typeof DETAIL_FIELDS)[number][0];

function DetailsForm({ p, onSaved }: { p: ProfileT; onSaved: () => Promise<unknown> }) {
  const before = Object.fromEntries(DETAIL_FIELDS.map(([k]) => [k, p[k] ?? ''])) as Record<DetailKey, string>;
  const form = useForm<Record<DetailKey, string>>({ initialValues: before });
  const canEdit = useCan('record.edit');
  const submit = useFormSubmit(form, {
    mutationFn: (v) => {
      const changes: Record<string, string | null> = {};
      for (const [k, , kind] of DETAIL_FIELDS) if (v[k] !== before[k]) changes[k] = kind === 'date' && v[k] === '' ? null : v[k];
      return ok(client.PATCH('/api/record/profiles/{id}', { params: { path: { id: p.id } }, body: { version: p.version, ...changes } }));
    },
    onSuccess: onSaved,
  });
  const error = submit.formError;
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="details-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="details-title">
          Details
        </Title>
        {canEdit ? (
          <Button type="submit" variant="light" loading={submit.busy}>
            Save details
          </Button>
        ) : null}
      </Group>
      {error instanceof ApiError && error.code === 'version_conflict' ? (
        <Alert color="orange" title="Someone else changed this profile" mb="sm" role="alert">
          {errorMessage(error)}
        </Alert>
      ) : (
        <FormError error={error} />
      )}
      <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="xs">
        {DETAIL_FIELDS.map(([k, label, kind]) => (
          <TextInput key={k} label={label} type={kind} {...form.getInputProps(k)} />
        ))}
      </SimpleGrid>
    </Card>
  );
}

function CheckInput({ c, d, set, error }: { c: ProfileCheck; d: Draft[string]; set: (x: Partial<Draft[string]>) => void; error?: string }) {
  if (c.type === 'yesno') return <NativeSelect label={c.name} data={[{ value: '', label: '—' }, { value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} error={error} />;
  if (c.type === 'choice') return <NativeSelect label={c.name} data={[{ value: '', label: '—' }, ...c.options]} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} error={error} />;
  if (c.type === 'document') return <TextInput label={c.name} value={d.value} readOnly description="Upload the document below" error={error} />;
  return <TextInput label={c.name} type={c.type === 'date' ? 'date' : 'text'} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} error={error} />;
}

const answerOf = (v: boolean | null) => (v === true ? 'yes' : v === false ? 'no' : '');

/** About the post: the facts the rules read (never checks); an unanswered one counts as its safe answer. */
function FactsForm({ p, onSaved }: { p: ProfileT; onSaved: () => Promise<unknown> }) {
  const initial = () => Object.fromEntries(p.facts.map((f) => [f.key, answerOf(f.value)]));
  const [draft, setDraft] = useState<Record<string, string>>(initial);
  const canEdit = useCan('record.edit');
  const save = useMutation({
    mutationFn: (facts: Record<string, boolean | null>) => ok(client.PATCH('/api/record/profiles/{id}', { params: { path: { id: p.id } }, body: { version: p.version, facts } })),
    onSuccess: onSaved,
  });
  if (p.facts.length === 0) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const facts: Record<string, boolean | null> = {};
    for (const f of p.facts) if (draft[f.key] !== answerOf(f.value)) facts[f.key] = draft[f.key] === '' ? null : draft[f.key] === 'yes';
    save.mutate(facts);
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-labelledby="facts-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="facts-title">
          About the post
        </Title>
        {canEdit ? (
          <Button type="submit" variant="light" loading={save.isPending}>
            Save facts
          </Button>
        ) : null}
      </Group>
      {p.factsToConfirm.length ? (
        <Alert color="yellow" title="Facts to confirm" mb="sm">
          {p.factsToConfirm.map((f) => f.name).join('; ')}. Until answered, each counts as the answer that asks for more checks.
        </Alert>
      ) : null}
      <FormError error={save.error} fields={p.facts.map((f) => `facts.${f.key}`)} />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
        {p.facts.map((f) => (
          <NativeSelect
            key={f.key}
            label={f.name}
            description={f.help}
            data={[{ value: '', label: `Not answered (counts as ${f.safeAnswer ? 'Yes' : 'No'})` }, { value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]}
            value={draft[f.key] ?? ''}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setDraft((d) => ({ ...d, [f.key]: v }));
            }}
            error={fieldError(save.error, `facts.${f.key}`)}
            disabled={!canEdit}
          />
        ))}
      </SimpleGrid>
    </Card>
  );
}

const STATE_COLOUR = { ok: 'green', missing: 'red', invalid: 'orange', expired: 'red' } as const;

function ChecksForm({ p, onSaved }: { p: ProfileT; onSaved: () => Promise<unknown> }) {
  const form = useForm<{ draft: Draft }>({ initialValues: { draft: draftOf(p) } });
  const { draft } = form.getValues();
  const canEdit = useCan('record.edit');
  const sections = [...new Set(p.checks.map((c) => c.section))];
  const submit = useFormSubmit(form, {
    mutationFn: (v) => {
      const before = draftOf(p);
      const checks: Record<string, { value: string | boolean; reference: string | null; evidence: string } | null> = {};
      for (const c of p.checks) {
        const d = v.draft[c.key]!;
        const was = before[c.key]!;
        if (d.value === was.value && d.reference === was.reference && d.evidence === was.evidence) continue;
        if (c.type === 'document') continue;
        const value = d.value === '' ? null : c.type === 'yesno' ? d.value === 'yes' : d.value;
        checks[c.key] = value === null ? null : { value, reference: d.reference || null, evidence: d.evidence };
      }
      return ok(client.PATCH('/api/record/profiles/{id}', { params: { path: { id: p.id } }, body: { version: p.version, checks } }));
    },
    onSuccess: onSaved,
  });
  const error = submit.formError;
  const conflict = error instanceof ApiError && error.code === 'version_conflict';
  const checkError = (key: string) => fieldError(error, `checks.${key}`);
  const checkErrors = p.checks.filter((c) => checkError(c.key) !== undefined).length;
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="checks-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="checks-title">
          Checks
        </Title>
        {canEdit ? (
          <Button type="submit" loading={submit.busy}>
            Save checks
          </Button>
        ) : null}
      </Group>
      {conflict ? (
        <Alert color="orange" title="Someone else changed this profile" mb="sm" role="alert">
          {errorMessage(error)}{' '}
          <Anchor component="button" type="button" onClick={() => void onSaved()}>
            Reload
          </Anchor>
        </Alert>
      ) : checkErrors > 0 ? (
        // Each message is on its check (the Save button is at the top, the check may be far below).
        <Alert color="red" title="Nothing was saved" mb="sm" role="alert">
          {checkErrors === 1 ? 'One check needs correcting: it is marked below.' : `${checkErrors} checks need correcting: they are marked below.`}
        </Alert>
      ) : (
        <FormError error={error} />
      )}
      <Stack gap="md">
        {sections.map((s) => (
          <div key={s}>
            <Text fw={700} mb={4}>
              {s}
            </Text>
            <Stack gap="xs">
              {p.checks
                .filter((c) => c.section === s)
                .map((c) => {
                  const d = draft[c.key] ?? { value: '', reference: '', evidence: '' };
                  const set = (x: Partial<Draft[string]>) => form.setFieldValue('draft', { ...draft, [c.key]: { ...d, ...x } });
                  return (
                    <SimpleGrid key={c.key} cols={{ base: 1, sm: 4 }} spacing="xs" data-testid={`check-${c.key}`}>
                      <CheckInput c={c} d={d} set={set} error={checkError(c.key)} />
                      {c.referenceLabel ? <TextInput label={`${c.name}: ${c.referenceLabel.toLowerCase()}`} value={d.reference} onChange={(e) => set({ reference: e.currentTarget.value })} /> : <div />}
                      <TextInput label={`${c.name}: evidence seen`} value={d.evidence} onChange={(e) => set({ evidence: e.currentTarget.value })} />
                      <Stack gap={2} justify="flex-end">
                        <Group gap={4}>
                          {c.state ? <Badge color={STATE_COLOUR[c.state]} variant="light">{c.state === 'ok' ? 'done' : c.state}</Badge> : <Badge variant="outline" color="gray">does not apply</Badge>}
                          <Badge variant="outline" color="gray">{c.requirement}</Badge>
                        </Group>
                        <Text size="xs" c="dimmed">
                          {c.recordedBy ? `by ${c.recordedBy}, ${formatDateTime(c.recordedAt)}` : ''}
                          {c.expiresOn ? ` · valid until ${formatDate(c.expiresOn)}` : ''}
                        </Text>
                      </Stack>
                    </SimpleGrid>
                  );
                })}
            </Stack>
          </div>
        ))}
      </Stack>
    </Card>
  );
}

function Documents({ p, onChange }: { p: ProfileT; onChange: () => Promise<unknown> }) {
  const [check, setCheck] = useState(p.checks[0]?.key ?? '');
  // The body is the file itself (not JSON), so this one call is a plain fetch; errors still arrive as ApiError.
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const res = await fetch(`/api/record/profiles/${p.id}/checks/${encodeURIComponent(check)}/document?fileName=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': (await ensureCsrf()) ?? '' },
        body: file,
      });
      if (!res.ok) throw await toApiError(res);
    },
    onSuccess: onChange,
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Documents
      </Title>
      <Group align="flex-end">
        <NativeSelect label="Evidence for" data={p.checks.map((c) => ({ value: c.key, label: c.name }))} value={check} onChange={(e) => setCheck(e.currentTarget.value)} />
        <FileButton onChange={(f) => f && upload.mutate(f)} accept="application/pdf,image/jpeg,image/png">
          {(props) => (
            <Button {...props} variant="light" loading={upload.isPending}>
              Upload PDF, JPEG or PNG (max 5 MB)
            </Button>
          )}
        </FileButton>
      </Group>
      {upload.error ? (
        <Alert color="red" mt="xs" role="alert">
          {errorMessage(upload.error)}
        </Alert>
      ) : null}
      <Table mt="sm" aria-label="Documents">
        <Table.Tbody>
          {p.documents.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{d.deletedAt ? d.fileName : <Anchor href={`/api/record/documents/${d.id}`}>{d.fileName}</Anchor>}</Table.Td>
              <Table.Td>{p.checks.find((c) => c.key === d.checkKey)?.name ?? ''}</Table.Td>
              <Table.Td>{formatDateTime(d.uploadedAt)}</Table.Td>
              <Table.Td>{d.deletedAt ? `Deleted: ${d.deletedReason ?? ''}` : d.deleteAfter ? `Deleted automatically on ${formatDate(d.deleteAfter)}` : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

import { Alert, Anchor, Badge, Button, Card, FileButton, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { client, ok } from '../../api/client';
import { api, ApiError, errorMessage, query } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { useCan, useMe } from '../../session';
import { AsOfPicker, useAsOf } from './AsOfPicker';
import { RatingBadges } from './RecordNav';
import { ukDate, type HistoryItem, type Profile as ProfileT, type ProfileCheck } from './recordApi';

type Draft = Record<string, { value: string; reference: string; evidence: string }>;

const draftOf = (p: ProfileT): Draft =>
  Object.fromEntries(
    p.checks.map((c) => [c.key, { value: c.value === true ? 'yes' : c.value === false ? 'no' : (c.value ?? ''), reference: c.reference ?? '', evidence: c.evidence }]),
  );

/** One profile: its details, ratings and why, every check with evidence, documents and history. */
export default function Profile() {
  const { id } = useParams();
  const [asOf, setAsOf] = useAsOf();
  const profile = useApi<ProfileT>(`/api/record/profiles/${id}${query({ asOf })}`);
  const history = useApi<{ items: HistoryItem[] }>(`/api/record/profiles/${id}/history`);
  const reload = () => {
    profile.reload();
    history.reload();
  };
  if (profile.loading && !profile.data) return <LoadingState />;
  if (profile.error) return <ErrorState error={profile.error} onRetry={profile.reload} />;
  const p = profile.data!;
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
            As of {ukDate(p.asOf)}
            {p.nextChangeOn ? `; the next date this may change: ${ukDate(p.nextChangeOn)}` : ''}.
          </Text>
          {p.ratings
            .filter((r) => !r.ready)
            .map((r) => (
              <Text key={r.systemId} size="sm" mt="xs">
                <b>{r.name}</b> — {r.problems.map((x) => x.message).join('; ')}
              </Text>
            ))}
        </Card>
        <DetailsForm p={p} onSaved={reload} />
        <FactsForm p={p} onSaved={reload} />
        <ChecksForm p={p} onSaved={reload} />
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

function ProfileActions({ p, onChange }: { p: ProfileT; onChange: () => void }) {
  const navigate = useNavigate();
  const canManage = useCan('record.manage');
  return (
    <>
      {p.status === 'live' ? (
        <ConfirmButton variant="light" title="Archive this leaver" message="The profile leaves the live record and is kept for the organisation's retention period." confirmLabel="Archive" onConfirm={async () => { await api.post(`/api/record/profiles/${p.id}/archive`, { version: p.version }); onChange(); }}>
          Archive leaver
        </ConfirmButton>
      ) : null}
      {canManage ? (
        <>
          <Button component="a" variant="subtle" href={`/api/record/profiles/${p.id}/export`} download>
            Export personal data
          </Button>
          <ConfirmButton color="red" variant="subtle" title="Erase this person" message="Everything held on this person is deleted for good (an audit entry without their data remains)." confirmLabel="Erase" onConfirm={async () => { await api.del(`/api/record/profiles/${p.id}`); void navigate('/record/profiles'); }}>
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

function DetailsForm({ p, onSaved }: { p: ProfileT; onSaved: () => void }) {
  const initial = () => Object.fromEntries(DETAIL_FIELDS.map(([k]) => [k, p[k] ?? ''])) as Record<DetailKey, string>;
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = useCan('record.edit');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setForm(initial()), [p]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const changes: Record<string, string | null> = {};
    const before = initial();
    for (const [k, , kind] of DETAIL_FIELDS) if (form[k] !== before[k]) changes[k] = kind === 'date' && form[k] === '' ? null : form[k];
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/record/profiles/${p.id}`, { version: p.version, ...changes });
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="details-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="details-title">
          Details
        </Title>
        {canEdit ? (
          <Button type="submit" variant="light" loading={busy}>
            Save details
          </Button>
        ) : null}
      </Group>
      {error instanceof ApiError && error.code === 'version_conflict' ? (
        <Alert color="orange" title="Someone else changed this profile" mb="sm" role="alert">
          {errorMessage(error)}
        </Alert>
      ) : (
        <FormError error={error} fields={DETAIL_FIELDS.map(([k]) => k)} />
      )}
      <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="xs">
        {DETAIL_FIELDS.map(([k, label, kind]) => (
          <TextInput key={k} label={label} type={kind} value={form[k]} onChange={(e) => { const v = e.currentTarget.value; setForm((f) => ({ ...f, [k]: v })); }} error={fieldError(error, k)} />
        ))}
      </SimpleGrid>
    </Card>
  );
}

function CheckInput({ c, d, set }: { c: ProfileCheck; d: Draft[string]; set: (x: Partial<Draft[string]>) => void }) {
  if (c.type === 'yesno') return <NativeSelect label={c.name} data={[{ value: '', label: '—' }, { value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} />;
  if (c.type === 'choice') return <NativeSelect label={c.name} data={[{ value: '', label: '—' }, ...c.options]} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} />;
  if (c.type === 'document') return <TextInput label={c.name} value={d.value} readOnly description="Upload the document below" />;
  return <TextInput label={c.name} type={c.type === 'date' ? 'date' : 'text'} value={d.value} onChange={(e) => set({ value: e.currentTarget.value })} />;
}

const answerOf = (v: boolean | null) => (v === true ? 'yes' : v === false ? 'no' : '');

/** About the post: the facts the rules read (never checks); an unanswered one counts as its safe answer. */
function FactsForm({ p, onSaved }: { p: ProfileT; onSaved: () => void }) {
  const initial = () => Object.fromEntries(p.facts.map((f) => [f.key, answerOf(f.value)]));
  const [draft, setDraft] = useState<Record<string, string>>(initial);
  const canEdit = useCan('record.edit');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setDraft(initial()), [p]);
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

function ChecksForm({ p, onSaved }: { p: ProfileT; onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(p));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = useCan('record.edit');
  useEffect(() => setDraft(draftOf(p)), [p]);
  const sections = [...new Set(p.checks.map((c) => c.section))];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checks: Record<string, unknown> = {};
    for (const c of p.checks) {
      const d = draft[c.key]!;
      const before = draftOf(p)[c.key]!;
      if (d.value === before.value && d.reference === before.reference && d.evidence === before.evidence) continue;
      if (c.type === 'document') continue;
      const value = d.value === '' ? null : c.type === 'yesno' ? d.value === 'yes' : d.value;
      checks[c.key] = value === null ? null : { value, reference: d.reference || null, evidence: d.evidence };
    }
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/record/profiles/${p.id}`, { version: p.version, checks });
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const conflict = error instanceof ApiError && error.code === 'version_conflict';
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="checks-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="checks-title">
          Checks
        </Title>
        {canEdit ? (
          <Button type="submit" loading={busy}>
            Save checks
          </Button>
        ) : null}
      </Group>
      {conflict ? (
        <Alert color="orange" title="Someone else changed this profile" mb="sm" role="alert">
          {errorMessage(error)}{' '}
          <Anchor component="button" type="button" onClick={() => { setError(null); onSaved(); }}>
            Reload
          </Anchor>
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
                  const set = (x: Partial<Draft[string]>) => setDraft((all) => ({ ...all, [c.key]: { ...d, ...x } }));
                  return (
                    <SimpleGrid key={c.key} cols={{ base: 1, sm: 4 }} spacing="xs" data-testid={`check-${c.key}`}>
                      <CheckInput c={c} d={d} set={set} />
                      {c.referenceLabel ? <TextInput label={`${c.name}: ${c.referenceLabel.toLowerCase()}`} value={d.reference} onChange={(e) => set({ reference: e.currentTarget.value })} /> : <div />}
                      <TextInput label={`${c.name}: evidence seen`} value={d.evidence} onChange={(e) => set({ evidence: e.currentTarget.value })} />
                      <Stack gap={2} justify="flex-end">
                        <Group gap={4}>
                          {c.state ? <Badge color={STATE_COLOUR[c.state]} variant="light">{c.state === 'ok' ? 'done' : c.state}</Badge> : <Badge variant="outline" color="gray">does not apply</Badge>}
                          <Badge variant="outline" color="gray">{c.requirement}</Badge>
                        </Group>
                        <Text size="xs" c="dimmed">
                          {c.recordedBy ? `by ${c.recordedBy}, ${formatDateTime(c.recordedAt)}` : ''}
                          {c.expiresOn ? ` · valid until ${ukDate(c.expiresOn)}` : ''}
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

function Documents({ p, onChange }: { p: ProfileT; onChange: () => void }) {
  const me = useMe();
  const [check, setCheck] = useState(p.checks[0]?.key ?? '');
  const [error, setError] = useState<string | null>(null);
  const upload = async (file: File | null) => {
    if (!file) return;
    setError(null);
    const res = await fetch(`/api/record/profiles/${p.id}/checks/${check}/document?fileName=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': me.csrfToken },
      body: file,
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Upload failed (${res.status})`);
      return;
    }
    onChange();
  };
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Documents
      </Title>
      <Group align="flex-end">
        <NativeSelect label="Evidence for" data={p.checks.map((c) => ({ value: c.key, label: c.name }))} value={check} onChange={(e) => setCheck(e.currentTarget.value)} />
        <FileButton onChange={(f) => void upload(f)} accept="application/pdf,image/jpeg,image/png">
          {(props) => <Button {...props} variant="light">Upload PDF, JPEG or PNG (max 5 MB)</Button>}
        </FileButton>
      </Group>
      {error ? (
        <Alert color="red" mt="xs" role="alert">
          {error}
        </Alert>
      ) : null}
      <Table mt="sm" aria-label="Documents">
        <Table.Tbody>
          {p.documents.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{d.deletedAt ? d.fileName : <Anchor href={`/api/record/documents/${d.id}`}>{d.fileName}</Anchor>}</Table.Td>
              <Table.Td>{p.checks.find((c) => c.key === d.checkKey)?.name ?? ''}</Table.Td>
              <Table.Td>{formatDateTime(d.uploadedAt)}</Table.Td>
              <Table.Td>{d.deletedAt ? `Deleted: ${d.deletedReason ?? ''}` : d.deleteAfter ? `Deleted automatically on ${ukDate(d.deleteAfter)}` : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

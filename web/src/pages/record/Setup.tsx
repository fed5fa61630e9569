import { Badge, Button, Card, Checkbox, ColorInput, Group, Modal, NativeSelect, NumberInput, Stack, Switch, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { ConditionBuilder } from './ConditionBuilder';
import { RuleSet } from './RuleSet';
import { ukDate, type ConditionGroup, type FieldInfo, type Organisation, type ProfileType } from './recordApi';

const ORG_TYPES = [
  { value: 'maintained', label: 'Maintained school' },
  { value: 'academy', label: 'Academy' },
  { value: 'free', label: 'Free school' },
  { value: 'independent', label: 'Independent school' },
  { value: 'college', label: 'College' },
  { value: 'other', label: 'Other' },
];

type Check = {
  id: string;
  key: string;
  scope: 'builtin' | 'tenant' | 'organisation';
  organisationId: string | null;
  setVersion: string | null;
  section: string;
  name: string;
  type: string;
  requirement: 'statutory' | 'recommended' | 'optional';
  appliesTo: string[];
  condition: ConditionGroup | null;
  validity: { n: number; unit: string } | null;
  enabled: boolean;
};
type RatingSystem = { id: string; key: string; name: string; readyColour: string; notReadyColour: string; enabled: boolean; mandatory: boolean; builtIn: boolean; defaultRequire: 'statutory' | 'all'; rules: Record<string, { require: 'statutory' | 'all' | string[] }> };

/** The record's settings: organisations, profile types, checks, rating systems, retention. */
export default function Setup() {
  return (
    <>
      <PageHeader title="Record settings" description="Organisations, profile types, checks (the built-in KCSIE set and your own), rating systems, and deletions due for approval." />
      <Tabs defaultValue="organisations" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="organisations">Organisations</Tabs.Tab>
          <Tabs.Tab value="types">Profile types</Tabs.Tab>
          <Tabs.Tab value="checks">Checks</Tabs.Tab>
          <Tabs.Tab value="ratings">Rating systems</Tabs.Tab>
          <Tabs.Tab value="retention">Retention</Tabs.Tab>
          <Tabs.Tab value="access">Access</Tabs.Tab>
          <Tabs.Tab value="rule-set">Rule set</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="organisations">
          <Organisations />
        </Tabs.Panel>
        <Tabs.Panel value="types">
          <ProfileTypes />
        </Tabs.Panel>
        <Tabs.Panel value="checks">
          <Checks />
        </Tabs.Panel>
        <Tabs.Panel value="ratings">
          <RatingSystems />
        </Tabs.Panel>
        <Tabs.Panel value="retention">
          <Retention />
        </Tabs.Panel>
        <Tabs.Panel value="access">
          <Access />
        </Tabs.Panel>
        <Tabs.Panel value="rule-set">
          <RuleSet />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function Organisations() {
  const list = useApi<{ items: Organisation[] }>('/api/record/organisations');
  const [form, setForm] = useState({ name: '', type: 'maintained', retentionYears: 6 });
  const [error, setError] = useState<unknown>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/record/organisations', form);
      setForm({ name: '', type: 'maintained', retentionYears: 6 });
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Stack>
      <Card withBorder component="form" onSubmit={(e: FormEvent) => void add(e)}>
        <FormError error={error} fields={['name', 'type', 'retentionYears']} />
        <Group align="flex-end">
          <TextInput label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={fieldError(error, 'name')} />
          <NativeSelect label="Type" data={ORG_TYPES} value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value })} />
          <NumberInput label="Keep leavers (years)" min={1} max={100} value={form.retentionYears} onChange={(v) => setForm({ ...form, retentionYears: Number(v) || 6 })} w={160} />
          <Button type="submit">Add organisation</Button>
        </Group>
      </Card>
      {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      <Table aria-label="Organisations">
        <Table.Tbody>
          {list.data?.items.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td>{o.name}</Table.Td>
              <Table.Td>
                <NativeSelect aria-label={`Type of ${o.name}`} data={ORG_TYPES} value={o.type} onChange={(e) => void api.patch(`/api/record/organisations/${o.id}`, { type: e.currentTarget.value }).then(list.reload)} />
              </Table.Td>
              <Table.Td>{o.retentionYears} years</Table.Td>
              <Table.Td>
                <ConfirmButton size="xs" color="red" variant="subtle" title={`Delete ${o.name}`} message="Only an organisation no profile belongs to can be deleted." confirmLabel="Delete" onConfirm={async () => { await api.del(`/api/record/organisations/${o.id}`); list.reload(); }}>
                  Delete
                </ConfirmButton>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function ProfileTypes() {
  const list = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
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
    <Stack>
      <FormError error={error} />
      <Group align="flex-end">
        <TextInput label="New profile type" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Button onClick={() => void act(async () => { await api.post('/api/record/profile-types', { name }); setName(''); })} disabled={!name.trim()}>
          Add
        </Button>
      </Group>
      <Table aria-label="Profile types">
        <Table.Tbody>
          {list.data?.items.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <TextInput aria-label={`Name of ${t.name}`} defaultValue={t.name} onBlur={(e) => e.currentTarget.value !== t.name && void act(() => api.patch(`/api/record/profile-types/${t.id}`, { name: e.currentTarget.value }))} />
              </Table.Td>
              <Table.Td>{t.builtIn ? <Badge variant="light">built in</Badge> : null}</Table.Td>
              <Table.Td>
                <Button size="xs" variant="subtle" onClick={() => void act(() => api.patch(`/api/record/profile-types/${t.id}`, { retired: !t.retired }))}>
                  {t.retired ? 'Restore' : 'Retire'}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => void act(() => api.del(`/api/record/profile-types/${t.id}`))}>
                  Delete
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Checks() {
  const list = useApi<{ items: Check[] }>('/api/record/checks');
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (list.loading && !list.data) return <LoadingState />;
  const typeName = (k: string) => types.data?.items.find((t) => t.key === k)?.name ?? k;
  return (
    <Stack>
      <Group>
        <Button onClick={() => setAdding(true)}>Add a check</Button>
      </Group>
      <FormError error={error} />
      <Table aria-label="Checks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Check</Table.Th>
            <Table.Th>Applies to</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>In use</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data?.items.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {c.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {c.section} · {c.type}
                  {c.validity ? ` · valid ${c.validity.n} ${c.validity.unit}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{c.appliesTo.length ? c.appliesTo.map(typeName).join(', ') : 'Everyone'}</Text>
                {c.condition?.conditions.length ? <Text size="xs" c="dimmed">when a condition holds</Text> : null}
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge variant="light" color={c.requirement === 'statutory' ? 'red' : 'blue'}>{c.requirement}</Badge>
                  <Badge variant="outline">{c.scope === 'builtin' ? c.setVersion : c.scope === 'tenant' ? 'trust-wide' : 'school'}</Badge>
                </Group>
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Use ${c.name}`}
                  checked={c.enabled}
                  disabled={c.requirement === 'statutory'}
                  onChange={(e) => void api.patch(`/api/record/checks/${c.id}`, { enabled: e.currentTarget.checked }).then(list.reload, setError)}
                />
              </Table.Td>
              <Table.Td>
                {c.scope !== 'builtin' ? (
                  <ConfirmButton size="xs" color="red" variant="subtle" title={`Delete ${c.name}`} message="Only a check nobody has a value for can be deleted; otherwise switch it off." confirmLabel="Delete" onConfirm={async () => { await api.del(`/api/record/checks/${c.id}`); list.reload(); }}>
                    Delete
                  </ConfirmButton>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <AddCheck opened={adding} onClose={() => setAdding(false)} onAdded={list.reload} types={types.data?.items ?? []} />
    </Stack>
  );
}

function AddCheck({ opened, onClose, onAdded, types }: { opened: boolean; onClose: () => void; onAdded: () => void; types: ProfileType[] }) {
  const fields = useApi<{ items: FieldInfo[] }>(opened ? '/api/record/fields' : null);
  const orgs = useApi<{ items: Organisation[] }>(opened ? '/api/record/organisations' : null);
  const [f, setF] = useState({ scope: 'tenant', organisationId: '', section: 'Trust', name: '', type: 'date', requirement: 'recommended', appliesTo: [] as string[], validityYears: 0 });
  const [condition, setCondition] = useState<ConditionGroup>({ op: 'and', conditions: [] });
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/record/checks', {
        scope: f.scope,
        organisationId: f.scope === 'organisation' ? f.organisationId : undefined,
        section: f.section,
        name: f.name,
        type: f.type,
        requirement: f.requirement,
        appliesTo: f.appliesTo,
        condition: condition.conditions.length ? condition : null,
        validity: f.validityYears ? { n: f.validityYears, unit: 'years' } : null,
      });
      onAdded();
      onClose();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Add a check" size="xl">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <FormError error={error} fields={['name', 'section']} />
          <Group grow>
            <NativeSelect label="For" data={[{ value: 'tenant', label: 'Every school of the trust' }, { value: 'organisation', label: 'One school' }]} value={f.scope} onChange={(e) => setF({ ...f, scope: e.currentTarget.value })} />
            {f.scope === 'organisation' ? <NativeSelect label="School" data={[{ value: '', label: 'Choose…' }, ...(orgs.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))]} value={f.organisationId} onChange={(e) => setF({ ...f, organisationId: e.currentTarget.value })} /> : null}
          </Group>
          <Group grow>
            <TextInput label="Name" required value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={fieldError(error, 'name')} />
            <TextInput label="Section" required value={f.section} onChange={(e) => setF({ ...f, section: e.currentTarget.value })} />
          </Group>
          <Group grow>
            <NativeSelect label="Kind of value" data={[{ value: 'date', label: 'Date' }, { value: 'yesno', label: 'Yes / no' }, { value: 'text', label: 'Text' }, { value: 'document', label: 'Document' }]} value={f.type} onChange={(e) => setF({ ...f, type: e.currentTarget.value })} />
            <NativeSelect label="Requirement" data={[{ value: 'recommended', label: 'Recommended' }, { value: 'statutory', label: 'Statutory (required by Inspector ready)' }]} value={f.requirement} onChange={(e) => setF({ ...f, requirement: e.currentTarget.value })} />
            <NumberInput label="Valid for (years, 0 = always)" min={0} max={100} value={f.validityYears} onChange={(v) => setF({ ...f, validityYears: Number(v) || 0 })} />
          </Group>
          <Group gap="xs">
            <Text size="sm">Applies to:</Text>
            {types.filter((t) => !t.retired).map((t) => (
              <Switch key={t.id} size="xs" label={t.name} checked={f.appliesTo.includes(t.key)} onChange={(e) => { const on = e.currentTarget.checked; setF((x) => ({ ...x, appliesTo: on ? [...x.appliesTo, t.key] : x.appliesTo.filter((k) => k !== t.key) })); }} />
            ))}
          </Group>
          <Title order={3} size="h6">
            Only when (optional)
          </Title>
          {fields.data ? <ConditionBuilder value={condition} onChange={setCondition} fields={fields.data.items} /> : null}
          <Group justify="flex-end">
            <Button type="submit">Add check</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RatingSystems() {
  const list = useApi<{ items: RatingSystem[] }>('/api/record/rating-systems');
  const types = useApi<{ items: ProfileType[] }>('/api/record/profile-types');
  const checks = useApi<{ items: Check[] }>('/api/record/checks');
  const [error, setError] = useState<unknown>(null);
  /** `systemId:typeKey` of a rule being switched to named checks (saved once one is ticked). */
  const [naming, setNaming] = useState<string | null>(null);
  const setRule = (s: RatingSystem, typeKey: string, require: string | string[]) => {
    const rules = { ...s.rules };
    if (require === '') delete rules[typeKey];
    else rules[typeKey] = { require: require as 'statutory' | 'all' | string[] };
    patch(s.id, { rules });
  };
  const checksFor = (typeKey: string) => (checks.data?.items ?? []).filter((c) => c.enabled && (c.appliesTo.length === 0 || c.appliesTo.includes(typeKey)));
  const patch = (id: string, body: Partial<RatingSystem>) => void api.patch(`/api/record/rating-systems/${id}`, body).then(list.reload, setError);
  return (
    <Stack>
      <FormError error={error} />
      {list.data?.items.map((s) => (
        <Card withBorder key={s.id}>
          <Group align="flex-end">
            <TextInput label="Name" defaultValue={s.name} onBlur={(e) => e.currentTarget.value !== s.name && patch(s.id, { name: e.currentTarget.value })} />
            <ColorInput label="Ready colour" defaultValue={s.readyColour} onChangeEnd={(v) => patch(s.id, { readyColour: v })} w={140} />
            <ColorInput label="Not ready colour" defaultValue={s.notReadyColour} onChangeEnd={(v) => patch(s.id, { notReadyColour: v })} w={140} />
            <NativeSelect label="Requires" data={[{ value: 'statutory', label: 'Statutory checks' }, { value: 'all', label: 'Statutory and recommended' }]} value={s.defaultRequire} onChange={(e) => patch(s.id, { defaultRequire: e.currentTarget.value as 'all' })} />
            <Switch label="Enabled" checked={s.enabled} disabled={s.mandatory} description={s.mandatory ? 'Mandatory systems stay on' : undefined} onChange={(e) => patch(s.id, { enabled: e.currentTarget.checked })} />
            <Switch label="Mandatory" description="Every profile must meet it" checked={s.mandatory} onChange={(e) => patch(s.id, { mandatory: e.currentTarget.checked })} />
          </Group>
          <Group gap="xs" mt="sm" align="flex-end">
            {types.data?.items.filter((t) => !t.retired).map((t) => {
              const rule = s.rules[t.key]?.require;
              return (
                <NativeSelect
                  key={t.key}
                  size="xs"
                  label={t.name}
                  aria-label={`${s.name} rule for ${t.name}`}
                  value={naming === `${s.id}:${t.key}` || Array.isArray(rule) ? 'list' : (rule ?? '')}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    if (v === 'list') return setNaming(`${s.id}:${t.key}`);
                    setNaming(null);
                    setRule(s, t.key, v);
                  }}
                  data={[
                    { value: '', label: 'As above' },
                    { value: 'statutory', label: 'Statutory' },
                    { value: 'all', label: 'All checks' },
                    { value: 'list', label: Array.isArray(rule) ? `${rule.length} named checks` : 'Named checks…' },
                  ]}
                />
              );
            })}
          </Group>
          {types.data?.items
            .filter((t) => !t.retired && (naming === `${s.id}:${t.key}` || Array.isArray(s.rules[t.key]?.require)))
            .map((t) => {
              const rule = s.rules[t.key]?.require;
              const named = Array.isArray(rule) ? rule : [];
              return (
                <Checkbox.Group
                  key={t.key}
                  mt="sm"
                  label={`${t.name}: checks ${s.name} requires`}
                  value={named}
                  onChange={(keys) => (keys.length ? setRule(s, t.key, keys) : setRule(s, t.key, ''))}
                >
                  <Group gap="xs" mt={4}>
                    {checksFor(t.key).map((c) => (
                      <Checkbox key={c.key} size="xs" value={c.key} label={c.name} />
                    ))}
                  </Group>
                </Checkbox.Group>
              );
            })}
        </Card>
      ))}
    </Stack>
  );
}

function Retention() {
  const list = useApi<{ items: Array<{ id: string; name: string; organisation: string; leavingDate: string | null; dueOn: string }> }>('/api/record/retention');
  return (
    <Stack>
      <Text size="sm">Archived leavers whose retention period has ended. Nothing is deleted until you approve it.</Text>
      {list.data?.items.length === 0 ? <Text c="dimmed">No deletions are due.</Text> : null}
      <Table aria-label="Deletions due">
        <Table.Tbody>
          {list.data?.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td>{r.organisation}</Table.Td>
              <Table.Td>left {ukDate(r.leavingDate)}</Table.Td>
              <Table.Td>due {ukDate(r.dueOn)}</Table.Td>
              <Table.Td>
                <ConfirmButton size="xs" color="red" title={`Delete ${r.name}`} message="The profile, its checks, documents and history are deleted for good." confirmLabel="Approve deletion" onConfirm={async () => { await api.post(`/api/record/retention/${r.id}/approve`); list.reload(); }}>
                  Approve deletion
                </ConfirmButton>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

type Scope = { kind: 'site' | 'organisation'; refId: string; level: 'view' | 'edit' | 'administer' };
type UserRow = { id: string; email: string; name: string; role: string; disabled: boolean; scopes: Scope[] };

/** Record permissions per user and organisation: none chosen means the whole trust at the user's role. */
function Access() {
  const users = useApi<{ items: UserRow[] }>('/api/users');
  const orgs = useApi<{ items: Organisation[] }>('/api/record/organisations');
  const [error, setError] = useState<unknown>(null);
  if ((users.loading && !users.data) || (orgs.loading && !orgs.data)) return <LoadingState />;
  if (users.error) return <ErrorState error={users.error} />;
  const setLevel = (u: UserRow, orgId: string, level: string) => {
    const scopes = u.scopes.filter((x) => !(x.kind === 'organisation' && x.refId === orgId));
    if (level) scopes.push({ kind: 'organisation', refId: orgId, level: level as Scope['level'] });
    void api.put(`/api/users/${u.id}/scopes`, { scopes }).then(users.reload, setError);
  };
  return (
    <Stack>
      <Text size="sm">Who can view, edit or administer the record of each school. A user with no school chosen reaches every school of the trust at their role&apos;s level.</Text>
      <FormError error={error} />
      <Table aria-label="Record access">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Reaches</Table.Th>
            {orgs.data?.items.map((o) => <Table.Th key={o.id}>{o.name}</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data?.items.filter((u) => !u.disabled).map((u) => {
            const own = u.scopes.filter((x) => x.kind === 'organisation');
            return (
              <Table.Tr key={u.id}>
                <Table.Td>
                  {u.name || u.email} <Badge variant="light">{u.role}</Badge>
                </Table.Td>
                <Table.Td>{own.length ? `${own.length} school${own.length === 1 ? '' : 's'}` : 'The whole trust'}</Table.Td>
                {orgs.data?.items.map((o) => (
                  <Table.Td key={o.id}>
                    <NativeSelect
                      size="xs"
                      aria-label={`${u.email} access to ${o.name}`}
                      value={own.find((x) => x.refId === o.id)?.level ?? ''}
                      onChange={(e) => setLevel(u, o.id, e.currentTarget.value)}
                      data={[
                        { value: '', label: own.length ? 'No access' : 'By role' },
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
    </Stack>
  );
}

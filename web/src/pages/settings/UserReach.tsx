import { Alert, Button, Group, Modal, MultiSelect, NativeSelect, Radio, Stack, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../../api';
import { client, ok, type Answer } from '../../api/client';
import { FormError } from '../../components/common';
import { organisationsQuery } from '../record/queries';
import { signinKeys } from '../signin/queries';
import { LEVEL_LABEL, choose, reachError, reachFieldOf, reachFormOf, reachSummary, reachWarning, scopesOfForm, type Chosen, type ReachForm } from './reach';
import type { Level, Role } from '../../permissions';
import { settingsKeys } from './queries';

type User = Answer<'/api/users'>['items'][number];
type Option = { value: string; label: string };

/** Every site, archived ones too (a user may still be limited to one), under the sites key so that what changes sites refreshes it. */
const allSitesQuery = () =>
  queryOptions({ queryKey: [...signinKeys.sites, 'with-archived'] as const, queryFn: () => ok(client.GET('/api/signin/sites', { params: { query: { archived: 'true' } } })) });

/** The names of the sites and organisations the caller sees, for stating and choosing reaches. */
export function useReachTargets(enabled = true) {
  const sites = useQuery({ ...allSitesQuery(), enabled });
  const orgs = useQuery({ ...organisationsQuery(), enabled });
  const siteOptions: Option[] = (sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.archived ? `${s.name} (archived)` : s.name }));
  const orgOptions: Option[] = (orgs.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }));
  const nameIn = (options: Option[], fallback: string) => (id: string) => options.find((o) => o.value === id)?.label ?? fallback;
  return { siteOptions, orgOptions, names: { site: nameIn(siteOptions, 'a site out of your reach'), organisation: nameIn(orgOptions, 'an organisation out of your reach') } };
}

/** A user's reach in the users table: the whole trust, or the sites and the organisations with their levels. */
export function ReachCell({ user, names }: { user: Pick<User, 'role' | 'scopes'>; names: ReturnType<typeof useReachTargets>['names'] }) {
  const summary = reachSummary(user, names);
  if (summary.wholeTrust) return <Text size="sm">Whole trust</Text>;
  return (
    <Stack gap={2}>
      <Text size="sm">
        <Text span fw={500} size="sm">
          Sites:
        </Text>{' '}
        {summary.sites}
      </Text>
      <Text size="sm">
        <Text span fw={500} size="sm">
          Organisations:
        </Text>{' '}
        {summary.organisations}
      </Text>
    </Stack>
  );
}

/** Whether a save was refused because the thing changed since it was read (409 `version_conflict`). */
export const isVersionConflict = (error: unknown) => error instanceof ApiError && error.code === 'version_conflict';

/**
 * The scope editor: the whole trust, or the sites and organisations chosen, each at a level;
 * saved as the user's whole list of scopes (PUT /api/users/:id/scopes) with the version it was
 * read at: when another administrator changed them meanwhile, nothing is saved (409), the editor
 * says so and offers to reload theirs. Only for a trust-wide caller (`users.manage`), never for the
 * owner (the server refuses to limit them).
 */
export function ReachModal({ user, onClose }: { user: User; onClose: () => void }) {
  const who = user.name || user.email;
  const queryClient = useQueryClient();
  const [readAt, setReadAt] = useState(user.scopesVersion);
  const form = useForm<ReachForm>({ initialValues: reachFormOf(user.scopes), validate: (v) => ({ reach: reachError(v) }) });
  const save = useMutation({
    mutationFn: (v: ReachForm) => ok(client.PUT('/api/users/{id}/scopes', { params: { path: { id: user.id } }, body: { scopes: scopesOfForm(v), scopesVersion: readAt } })),
    onSuccess: () => {
      notifications.show({ message: `${who}’s reach is saved.`, color: 'teal' });
      onClose();
    },
    onError: (error, v) => {
      if (!(error instanceof ApiError)) return;
      const errors: Record<string, string> = {};
      for (const { field, message } of [...error.issues, { field: error.field, message: error.message }]) {
        const on = reachFieldOf(field, v);
        if (on && !errors[on]) errors[on] = message;
      }
      form.setErrors(errors);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.users }),
  });
  /** Their reach as it is now: the form and the version start again from it, the refusal goes. */
  const reload = useMutation({
    mutationFn: () => ok(client.GET('/api/users/{id}', { params: { path: { id: user.id } } })),
    onSuccess: (fresh) => {
      form.setValues(reachFormOf(fresh.scopes));
      form.clearErrors();
      setReadAt(fresh.scopesVersion);
      save.reset();
    },
  });
  const values = form.getValues();
  const conflict = isVersionConflict(save.error);
  const placed = save.error instanceof ApiError && [save.error.field, ...save.error.issues.map((i) => i.field)].some((f) => reachFieldOf(f, values));

  return (
    <Modal opened onClose={onClose} title={`Reach of ${who}`} centered size="lg">
      <form
        onSubmit={form.onSubmit((v) => {
          save.reset();
          save.mutate(v);
        })}
        noValidate
        aria-label={`Reach of ${who}`}
      >
        <Stack>
          <ReachFields value={values} onChange={(v) => reachChanged(form, v)} errors={form.errors} role={user.role} />
          {conflict ? (
            <Alert color="red" role="alert" title="Someone else changed this person’s reach">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  {who}’s reach was changed by someone else while this editor was open, so your change was not saved. Reload to see their change, then make yours again.
                </Text>
                <Button size="xs" variant="light" color="red" loading={reload.isPending} onClick={() => reload.mutate()}>
                  Reload their reach
                </Button>
              </Stack>
            </Alert>
          ) : null}
          <FormError error={placed || conflict ? null : (save.error ?? reload.error)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={conflict}>
              Save reach
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A form holding a reach took a change from ReachFields: the values set, the reach's errors cleared. */
export function reachChanged<T extends ReachForm>(form: { setValues(v: Partial<T>): void; clearFieldError(path: string): void }, v: ReachForm) {
  form.setValues({ reach: v.reach, sites: v.sites, organisations: v.organisations } as Partial<T>);
  for (const f of ['reach', 'sites', 'organisations']) form.clearFieldError(f);
}

/**
 * The choice of a reach (the user's reach editor and the invitation form): the whole trust at the
 * role's level, or the sites and organisations chosen, each at a level; with the warning of what
 * the person will not see when limited in one dimension only.
 */
export function ReachFields({ value, onChange, errors, role }: { value: ReachForm; onChange: (v: ReachForm) => void; errors: Partial<Record<string, ReactNode>>; role: Role }) {
  const { siteOptions, orgOptions } = useReachTargets();
  const warning = reachWarning(value);
  return (
    <>
      <Radio.Group label="Reaches" value={value.reach} onChange={(reach) => onChange({ ...value, reach: reach === 'limited' ? 'limited' : 'trust' })} error={errors.reach}>
        <Stack gap="xs" mt="xs">
          <Radio value="trust" label={`The whole trust, at their role’s level (${role})`} />
          <Radio value="limited" label="Only the sites and organisations chosen" />
        </Stack>
      </Radio.Group>
      {value.reach === 'limited' ? (
        <>
          <ChosenList label="Sites" description="Whose sign-in they see and operate" options={siteOptions} chosen={value.sites} onChange={(sites) => onChange({ ...value, sites })} error={errors.sites} role={role} />
          <ChosenList
            label="Organisations"
            description="Whose Central Record they see and edit"
            options={orgOptions}
            chosen={value.organisations}
            onChange={(organisations) => onChange({ ...value, organisations })}
            error={errors.organisations}
            role={role}
          />
        </>
      ) : null}
      {warning ? (
        <Alert color="yellow" role="status">
          {warning}
        </Alert>
      ) : null}
    </>
  );
}

function ChosenList({
  label,
  description,
  options,
  chosen,
  onChange,
  error,
  role,
}: {
  label: string;
  description: string;
  options: Option[];
  chosen: Chosen[];
  onChange: (chosen: Chosen[]) => void;
  error: ReactNode;
  role: Role;
}) {
  const nameOf = (id: string) => options.find((o) => o.value === id)?.label ?? id;
  // A choice the caller cannot see still shows (and is kept) rather than vanishing from the list.
  const data = [...options, ...chosen.filter((c) => !options.some((o) => o.value === c.refId)).map((c) => ({ value: c.refId, label: c.refId }))];
  return (
    <Stack gap="xs">
      <MultiSelect
        label={label}
        description={description}
        data={data}
        searchable
        value={chosen.map((c) => c.refId)}
        error={error}
        onChange={(ids) => onChange(choose(chosen, ids, role))}
        comboboxProps={{ withinPortal: true }}
      />
      {chosen.length > 0 ? (
        <Table aria-label={`${label} and levels`} withRowBorders={false} verticalSpacing={4}>
          <Table.Tbody>
            {chosen.map((c) => (
              <Table.Tr key={c.refId}>
                <Table.Td>{nameOf(c.refId)}</Table.Td>
                <Table.Td w={160}>
                  <NativeSelect
                    size="xs"
                    aria-label={`Level at ${nameOf(c.refId)}`}
                    data={(Object.keys(LEVEL_LABEL) as Level[]).map((l) => ({ value: l, label: LEVEL_LABEL[l] }))}
                    value={c.level}
                    onChange={(e) => onChange(chosen.map((x) => (x.refId === c.refId ? { ...x, level: e.currentTarget.value as Level } : x)))}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}

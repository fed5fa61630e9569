import { Badge, Button, Group, Stack, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api';
import { client, ok, type Answer, type Body } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { profileTypesQuery, useRecordSettingsChanged } from './queries';

type ProfileType = Answer<'/api/record/profile-types'>['items'][number];
type ProfileTypePatch = Body<'/api/record/profile-types/{id}', 'patch'>;

/** Profile types: add one, rename, retire or restore, delete one nothing uses. */
export function SetupProfileTypes() {
  const list = useQuery(profileTypesQuery());
  return (
    <Stack>
      <AddProfileType />
      <QueryState query={list} empty="No profile types yet: they start with the first organisation.">
        {(data) => (
          <Table aria-label="Profile types">
            <Table.Tbody>
              {data.items.map((t) => (
                <ProfileTypeRow key={t.id} t={t} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Stack>
  );
}

function AddProfileType() {
  const changed = useRecordSettingsChanged();
  const form = useForm({ initialValues: { name: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/record/profile-types', { body: v })),
    onSuccess: () => {
      form.reset();
      return changed();
    },
  });
  return (
    <form onSubmit={submit.onSubmit} aria-label="Add a profile type">
      <FormError error={submit.formError} />
      <Group align="flex-end">
        <TextInput label="New profile type" {...form.getInputProps('name')} />
        <Button type="submit" loading={submit.busy} disabled={!form.getValues().name.trim()}>
          Add
        </Button>
      </Group>
    </form>
  );
}

function ProfileTypeRow({ t }: { t: ProfileType }) {
  const changed = useRecordSettingsChanged();
  const path = { params: { path: { id: t.id } } };
  const update = useMutation({ mutationFn: (body: ProfileTypePatch) => ok(client.PATCH('/api/record/profile-types/{id}', { ...path, body })), onSuccess: changed });
  const remove = useMutation({ mutationFn: () => ok(client.DELETE('/api/record/profile-types/{id}', path)), onSuccess: changed });
  return (
    <Table.Tr>
      <Table.Td>
        {/* Keyed by the saved name: a rename saved (or refused and reloaded) starts the field afresh from the server. */}
        <TextInput
          key={t.name}
          aria-label={`Name of ${t.name}`}
          defaultValue={t.name}
          onBlur={(e) => {
            const name = e.currentTarget.value;
            if (name !== t.name) update.mutate({ name });
          }}
          error={update.error ? errorMessage(update.error) : undefined}
        />
      </Table.Td>
      <Table.Td>{t.builtIn ? <Badge variant="light">built in</Badge> : null}</Table.Td>
      <Table.Td>
        <Button size="xs" variant="subtle" loading={update.isPending && update.variables.retired !== undefined} onClick={() => update.mutate({ retired: !t.retired })}>
          {t.retired ? 'Restore' : 'Retire'}
        </Button>
        <ConfirmButton size="xs" variant="subtle" color="red" title={`Delete ${t.name}`} message="Only a profile type no profile, check or rating system uses can be deleted; otherwise retire it." confirmLabel="Delete" onConfirm={() => remove.mutateAsync()}>
          Delete
        </ConfirmButton>
      </Table.Td>
    </Table.Tr>
  );
}

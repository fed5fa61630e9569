import { Button, Card, Group, NativeSelect, NumberInput, Stack, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { ORGANISATION_TYPE_OPTIONS, type OrganisationType } from './organisationTypes';
import { organisationsQuery, useRecordSettingsChanged } from './queries';

type Organisation = Answer<'/api/record/organisations'>['items'][number];

const ORG_TYPES = ORGANISATION_TYPE_OPTIONS;

/** The trust's organisations (schools): add one, change its type, delete one no profile belongs to. */
export function SetupOrganisations() {
  const list = useQuery(organisationsQuery());
  return (
    <Stack>
      <AddOrganisation />
      <QueryState query={list} empty="No organisations yet: the first one you add starts the record with the built-in KCSIE checks.">
        {(data) => (
          <Table aria-label="Organisations">
            <Table.Tbody>
              {data.items.map((o) => (
                <OrganisationRow key={o.id} o={o} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Stack>
  );
}

function AddOrganisation() {
  const changed = useRecordSettingsChanged();
  const initialValues: { name: string; type: OrganisationType; retentionYears: number | string } = { name: '', type: 'maintained', retentionYears: 6 };
  const form = useForm({ initialValues });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/record/organisations', { body: { name: v.name, type: v.type, retentionYears: Number(v.retentionYears) || 6 } })),
    onSuccess: () => {
      form.reset();
      return changed();
    },
  });
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} aria-label="Add an organisation">
      <FormError error={submit.formError} />
      <Group align="flex-end">
        <TextInput label="Name" required {...form.getInputProps('name')} />
        <NativeSelect label="Type" data={ORG_TYPES} {...form.getInputProps('type')} />
        <NumberInput label="Keep leavers (years)" min={1} max={100} {...form.getInputProps('retentionYears')} w={160} />
        <Button type="submit" loading={submit.busy}>
          Add organisation
        </Button>
      </Group>
    </Card>
  );
}

function OrganisationRow({ o }: { o: Organisation }) {
  const changed = useRecordSettingsChanged();
  const path = { params: { path: { id: o.id } } };
  const setType = useMutation({ mutationFn: (type: OrganisationType) => ok(client.PATCH('/api/record/organisations/{id}', { ...path, body: { type } })), onSuccess: changed });
  const remove = useMutation({ mutationFn: () => ok(client.DELETE('/api/record/organisations/{id}', path)), onSuccess: changed });
  return (
    <Table.Tr>
      <Table.Td>{o.name}</Table.Td>
      <Table.Td>
        <NativeSelect
          aria-label={`Type of ${o.name}`}
          data={ORG_TYPES}
          value={setType.isPending ? setType.variables : o.type}
          onChange={(e) => setType.mutate(e.currentTarget.value as OrganisationType)}
          error={setType.error ? errorMessage(setType.error) : undefined}
        />
      </Table.Td>
      <Table.Td>{o.retentionYears} years</Table.Td>
      <Table.Td>
        <ConfirmButton size="xs" color="red" variant="subtle" title={`Delete ${o.name}`} message="Only an organisation no profile belongs to can be deleted." confirmLabel="Delete" onConfirm={() => remove.mutateAsync()}>
          Delete
        </ConfirmButton>
      </Table.Td>
    </Table.Tr>
  );
}

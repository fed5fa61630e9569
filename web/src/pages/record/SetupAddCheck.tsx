import { Button, Group, Modal, NativeSelect, NumberInput, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { client, ok, type Answer, type Body } from '../../api/client';
import { FormError } from '../../components/common';
import { useFormSubmit } from '../../forms';
import { ConditionBuilder } from './ConditionBuilder';
import { fieldsQuery, organisationsQuery, useRecordSettingsChanged } from './queries';
import type { ConditionGroup } from './recordApi';

type ProfileType = Answer<'/api/record/profile-types'>['items'][number];
type CheckBody = Body<'/api/record/checks', 'post'>;

type Values = {
  scope: CheckBody['scope'];
  organisationId: string;
  section: string;
  name: string;
  type: CheckBody['type'];
  requirement: NonNullable<CheckBody['requirement']>;
  appliesTo: string[];
  validityYears: number | string;
  condition: ConditionGroup;
};

/** "Add a check": a trust-wide check or one school's own, with the profile types it applies to and an optional condition built visually. */
export function SetupAddCheck({ opened, onClose, types }: { opened: boolean; onClose: () => void; types: ProfileType[] }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add a check" size="xl">
      {/* The form lives inside the modal, so each opening starts afresh. */}
      <AddCheckForm onDone={onClose} types={types} />
    </Modal>
  );
}

function AddCheckForm({ onDone, types }: { onDone: () => void; types: ProfileType[] }) {
  const fields = useQuery(fieldsQuery());
  const orgs = useQuery(organisationsQuery());
  const changed = useRecordSettingsChanged();
  const initialValues: Values = { scope: 'tenant', organisationId: '', section: 'Trust', name: '', type: 'date', requirement: 'recommended', appliesTo: [], validityYears: 0, condition: { op: 'and', conditions: [] } };
  const form = useForm<Values>({ initialValues });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => {
      const years = Number(v.validityYears) || 0;
      return ok(
        client.POST('/api/record/checks', {
          body: {
            scope: v.scope,
            organisationId: v.scope === 'organisation' ? v.organisationId || undefined : undefined,
            section: v.section,
            name: v.name,
            type: v.type,
            requirement: v.requirement,
            appliesTo: v.appliesTo,
            condition: v.condition.conditions.length ? v.condition : null,
            validity: years ? { n: years, unit: 'years' } : null,
          },
        }),
      );
    },
    onSuccess: async () => {
      await changed();
      onDone();
    },
  });
  const values = form.getValues();
  /** The server's messages about the condition (the builder has no error slots of its own). */
  const conditionErrors = Object.entries(form.errors).filter(([k]) => k === 'condition' || k.startsWith('condition.'));
  return (
    <form onSubmit={submit.onSubmit}>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <Group grow>
          <NativeSelect
            label="For"
            data={[
              { value: 'tenant', label: 'Every school of the trust' },
              { value: 'organisation', label: 'One school' },
            ]}
            {...form.getInputProps('scope')}
          />
          {values.scope === 'organisation' ? <NativeSelect label="School" data={[{ value: '', label: 'Choose…' }, ...(orgs.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))]} {...form.getInputProps('organisationId')} /> : null}
        </Group>
        <Group grow>
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <TextInput label="Section" required {...form.getInputProps('section')} />
        </Group>
        <Group grow>
          <NativeSelect
            label="Kind of value"
            data={[
              { value: 'date', label: 'Date' },
              { value: 'yesno', label: 'Yes / no' },
              { value: 'text', label: 'Text' },
              { value: 'document', label: 'Document' },
            ]}
            {...form.getInputProps('type')}
          />
          <NativeSelect
            label="Requirement"
            data={[
              { value: 'recommended', label: 'Recommended' },
              { value: 'statutory', label: 'Statutory (required by Inspector ready)' },
            ]}
            {...form.getInputProps('requirement')}
          />
          <NumberInput label="Valid for (years, 0 = always)" min={0} max={100} {...form.getInputProps('validityYears')} />
        </Group>
        <Group gap="xs" role="group" aria-label="Applies to">
          <Text size="sm">Applies to:</Text>
          {types
            .filter((t) => !t.retired)
            .map((t) => (
              <Switch
                key={t.id}
                size="xs"
                label={t.name}
                checked={values.appliesTo.includes(t.key)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  form.setFieldValue('appliesTo', (keys) => (on ? [...keys, t.key] : keys.filter((k) => k !== t.key)));
                }}
              />
            ))}
        </Group>
        {form.errors.appliesTo ? (
          <Text size="sm" c="red" role="alert">
            {form.errors.appliesTo}
          </Text>
        ) : null}
        <Title order={3} size="h6">
          Only when (optional)
        </Title>
        {fields.data ? <ConditionBuilder value={values.condition} onChange={(g) => form.setFieldValue('condition', g)} fields={fields.data.items} /> : null}
        {conditionErrors.map(([k, message]) => (
          <Text key={k} size="sm" c="red" role="alert">
            {message}
          </Text>
        ))}
        <Group justify="flex-end">
          <Button type="submit" loading={submit.busy}>
            Add check
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

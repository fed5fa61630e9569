import { Alert, Button, Card, Group, NumberInput, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, ok } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { userCan, useMe, useTenantWide } from '../../session';
import { integrationKeys, integrationSettingsQuery } from '../integrations/queries';
import { blockListKey, blockListQuery, signinSettingsKey, signinSettingsQuery } from './queries';

/** The block list (whole names, email, date of birth) and how long visits are kept. */
export default function SafetySettings() {
  const blocks = useQuery(blockListQuery());
  const me = useMe();
  // The block list and the retention apply at every site: a user limited to some sites reads them, only the trust's central team changes them.
  const tenantWide = useTenantWide();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => ok(client.DELETE('/api/signin/block-list/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: blockListKey }),
  });
  return (
    <>
      <PageHeader title="Safety check, block list and retention" description="What the safety check at sign-in includes besides each group's own questions: the Central Record's criteria and the block list. People on the block list fail the safety check. Names match whole (never part of a name); an email or date of birth makes a match surer." />
      <Stack gap="lg">
        {userCan(me.user, 'integration.read') ? <RecordInSafetyCheck /> : null}
        {tenantWide ? (
          <AddBlock />
        ) : (
          <Alert color="gray" title="Set by your trust" data-testid="tenant-wide-only">
            The block list and how long visits are kept apply at every site, so only your trust&apos;s central team changes them. Ask them to add or remove someone.
          </Alert>
        )}
        <QueryState query={blocks} empty="No one is blocked.">
          {(data) => (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Date of birth</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((b) => (
                  <Table.Tr key={b.id}>
                    <Table.Td>{b.fullName}</Table.Td>
                    <Table.Td>{b.email}</Table.Td>
                    <Table.Td>{b.dateOfBirth}</Table.Td>
                    <Table.Td>{b.reason}</Table.Td>
                    <Table.Td>
                      {tenantWide ? (
                        <ConfirmButton size="xs" variant="subtle" color="red" title="Remove from the block list?" message={`${b.fullName} will be able to sign in again.`} confirmLabel="Remove" onConfirm={() => remove.mutateAsync(b.id)}>
                          Remove
                        </ConfirmButton>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
        <Retention canChange={tenantWide} />
      </Stack>
    </>
  );
}

function AddBlock() {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { fullName: '', email: '', dateOfBirth: '', reason: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.POST('/api/signin/block-list', { body: { fullName: v.fullName, email: v.email || null, dateOfBirth: v.dateOfBirth || null, reason: v.reason } })),
    onSuccess: () => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: blockListKey });
    },
  });
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="add-block">
      <Title order={2} size="h4" id="add-block" mb="sm">
        Block a person
      </Title>
      <FormError error={submit.formError} />
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Full name" required {...form.getInputProps('fullName')} />
        <TextInput label="Email" type="email" {...form.getInputProps('email')} />
        <TextInput label="Date of birth" type="date" {...form.getInputProps('dateOfBirth')} />
        <TextInput label="Reason (staff only)" {...form.getInputProps('reason')} />
        <Button type="submit" loading={submit.busy}>
          Block
        </Button>
      </Group>
    </Card>
  );
}

function Retention({ canChange }: { canChange: boolean }) {
  const settings = useQuery(signinSettingsQuery());
  return <QueryState query={settings}>{(data) => <RetentionForm retentionDays={data.retentionDays} canChange={canChange} />}</QueryState>;
}

function RetentionForm({ retentionDays, canChange }: { retentionDays: number | null; canChange: boolean }) {
  const queryClient = useQueryClient();
  const form = useForm<{ retentionDays: number | string }>({ initialValues: { retentionDays: retentionDays ?? '' } });
  const submit = useFormSubmit(form, {
    mutationFn: (v) => ok(client.PUT('/api/signin/settings', { body: { retentionDays: typeof v.retentionDays === 'number' ? v.retentionDays : null } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: signinSettingsKey }),
  });
  return (
    <Card withBorder component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="retention">
      <Title order={2} size="h4" id="retention" mb="sm">
        Keep visits for
      </Title>
      <FormError error={submit.formError} />
      <Group align="flex-end">
        <NumberInput label="Days (empty: keep forever)" min={1} max={36500} disabled={!canChange} {...form.getInputProps('retentionDays')} />
        <Button type="submit" loading={submit.busy} disabled={!canChange}>
          Save
        </Button>
        {submit.done ? <Text c="teal.9" role="status">Saved.</Text> : null}
      </Group>
      <Text size="sm" c="dimmed" mt="xs">
        Every night, older visits are deleted, except protected ones and people still on site.
      </Text>
    </Card>
  );
}

/** The tenant's "include the Central Record in the safety check" switch (each group then applies its own mode). */
function RecordInSafetyCheck() {
  const me = useMe();
  const queryClient = useQueryClient();
  const settings = useQuery(integrationSettingsQuery());
  const save = useMutation({
    mutationFn: (on: boolean) => ok(client.PUT('/api/integration/settings', { body: { includeRecordInSafetyCheck: on } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: integrationKeys.settings }),
  });
  return (
    <Card withBorder aria-labelledby="record-safety">
      <Title order={2} size="h4" id="record-safety" mb="sm">
        Central Record
      </Title>
      <FormError error={save.error} />
      <QueryState query={settings}>
        {(data) => (
          <Switch
            label="Include the Central Record's criteria in the safety check"
            description="Members of linked groups whose profile is not ready (under the group's rating systems) are handled by each group's safety check mode, set on the group's page."
            checked={data.includeRecordInSafetyCheck}
            disabled={save.isPending || !userCan(me.user, 'integration.manage')}
            onChange={(e) => save.mutate(e.currentTarget.checked)}
          />
        )}
      </QueryState>
    </Card>
  );
}

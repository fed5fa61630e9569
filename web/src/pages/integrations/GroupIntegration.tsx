import { Alert, Anchor, Button, Card, Checkbox, Group, Radio, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { organisationsQuery, ratingSystemsQuery } from '../record/queries';
import type { RatingMode } from './integrationApi';
import { groupLinkQuery, integrationKeys } from './queries';

type GroupLinkView = Answer<'/api/integration/groups/{groupId}/link'>;
type Org = Answer<'/api/record/organisations'>['items'][number];

/** A group's Integrations tab: link it to an organisation and choose which rating systems count. */
export default function GroupIntegration() {
  const { groupId = '' } = useParams();
  const view = useQuery(groupLinkQuery(groupId));
  const orgs = useQuery(organisationsQuery());
  return (
    <QueryState query={view}>
      {(data) => (orgs.data ? <LinkForm groupId={groupId} view={data} orgs={orgs.data.items} /> : <QueryState query={orgs}>{() => null}</QueryState>)}
    </QueryState>
  );
}

function LinkForm({ groupId, view, orgs }: { groupId: string; view: GroupLinkView; orgs: Org[] }) {
  const { group, link } = view;
  const queryClient = useQueryClient();
  const systems = useQuery(ratingSystemsQuery());
  const form = useForm<{ organisationId: string | null; ratingMode: RatingMode; ratingSystemIds: string[] }>({
    initialValues: {
      organisationId: link?.organisationId ?? (orgs.length === 1 ? orgs[0]!.id : null),
      ratingMode: link?.ratingMode ?? 'all',
      ratingSystemIds: link?.ratingSystemIds ?? [],
    },
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: integrationKeys.links });
  const path = { params: { path: { groupId } } };
  const submit = useFormSubmit(form, {
    mutationFn: (v) =>
      ok(client.PUT('/api/integration/groups/{groupId}/link', { ...path, body: { organisationId: v.organisationId ?? '', ratingMode: v.ratingMode, ratingSystemIds: v.ratingMode === 'selected' ? v.ratingSystemIds : [] } })),
    onSuccess: invalidate,
  });
  const unlink = useMutation({ mutationFn: () => ok(client.DELETE('/api/integration/groups/{groupId}/link', path)), onSettled: invalidate });
  const { organisationId, ratingMode } = form.getValues();
  return (
    <>
      <PageHeader title={`Integrations: ${group.name}`} description="Link this group to an organisation of the Central Record: its members can be imported as profiles, profiles pushed in, and the record counted in its safety check.">
        <Anchor component={Link} to="/integrations">
          All integrations
        </Anchor>
      </PageHeader>
      {!group.linkable ? (
        <Alert color="gray" title="This group cannot be linked">
          {group.reason}
        </Alert>
      ) : (
        <Card withBorder maw={640} component="form" onSubmit={submit.onSubmit} noValidate>
          <Stack>
            {link ? (
              <Text size="sm">
                Linked to <b>{link.organisationName ?? 'an organisation your account does not reach'}</b> by {link.createdBy}.
              </Text>
            ) : (
              <Text size="sm">Not linked yet.</Text>
            )}
            {group.type === 'scim' ? (
              <Alert color="violet" variant="light">
                A SCIM group's members belong to the identity provider: their names, emails and roles come from it, and profiles cannot be pushed into it.
              </Alert>
            ) : null}
            <Select
              label="Organisation"
              placeholder="Choose the school"
              data={orgs.map((o) => ({ value: o.id, label: o.name }))}
              {...form.getInputProps('organisationId')}
            />
            <Radio.Group label="Rating systems that count in this group's safety check" {...form.getInputProps('ratingMode')}>
              <Stack gap={6} mt={6}>
                <Radio value="all" label="All rating systems" />
                <Radio value="none" label="None (the record is not checked for this group)" />
                <Radio value="selected" label="Only the ones selected" />
              </Stack>
            </Radio.Group>
            {ratingMode === 'selected' ? (
              <Checkbox.Group label="Selected rating systems" {...form.getInputProps('ratingSystemIds')}>
                <Stack gap={4} mt={6}>
                  {(systems.data?.items ?? [])
                    .filter((s) => s.enabled)
                    .map((s) => (
                      <Checkbox key={s.id} value={s.id} label={s.name} />
                    ))}
                </Stack>
              </Checkbox.Group>
            ) : null}
            <FormError error={submit.formError ?? unlink.error} />
            {submit.done ? <Text c="teal.9" size="sm" role="status">Saved.</Text> : null}
            <Group>
              <Button type="submit" loading={submit.busy} disabled={!organisationId}>
                {link ? 'Save' : 'Link group'}
              </Button>
              {link ? (
                <ConfirmButton color="red" variant="light" confirmLabel="Unlink" title="Unlink this group?" message="Linked people stay as they are; the group is no longer imported, pushed or checked against the record." onConfirm={() => unlink.mutateAsync()}>
                  Unlink
                </ConfirmButton>
              ) : null}
            </Group>
          </Stack>
        </Card>
      )}
    </>
  );
}

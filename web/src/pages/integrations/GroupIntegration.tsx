import { Alert, Anchor, Button, Card, Checkbox, Group, Radio, Select, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState, PageHeader, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import type { GroupLinkView, RatingMode } from './integrationApi';

type Org = { id: string; name: string };
type RatingSystem = { id: string; name: string; enabled: boolean };

/** A group's Integrations tab: link it to an organisation and choose which rating systems count. */
export default function GroupIntegration() {
  const { groupId = '' } = useParams();
  const view = useApi<GroupLinkView>(`/api/integration/groups/${groupId}/link`);
  const orgs = useApi<{ items: Org[] }>('/api/record/organisations');
  const systems = useApi<{ items: RatingSystem[] }>('/api/record/rating-systems');
  const [organisationId, setOrganisationId] = useState<string | null>(null);
  const [ratingMode, setRatingMode] = useState<RatingMode>('all');
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const l = view.data?.link;
    setOrganisationId(l?.organisationId ?? (orgs.data?.items.length === 1 ? orgs.data.items[0]!.id : null));
    setRatingMode(l?.ratingMode ?? 'all');
    setSelected(l?.ratingSystemIds ?? []);
  }, [view.data, orgs.data]);
  if (view.loading && !view.data) return <LoadingState />;
  if (view.error) return <ErrorState error={view.error} onRetry={view.reload} />;
  const { group, link } = view.data!;
  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      await api.put(`/api/integration/groups/${groupId}/link`, { organisationId, ratingMode, ratingSystemIds: ratingMode === 'selected' ? selected : [] });
      setSaved(true);
      view.reload();
    } catch (err) {
      setError(err);
    }
  };
  const unlink = async () => {
    await api.del(`/api/integration/groups/${groupId}/link`);
    view.reload();
  };
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
        <Card withBorder maw={640}>
          <Stack>
            {link ? (
              <Text size="sm">
                Linked to <b>{link.organisationName}</b> by {link.createdBy}.
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
              data={(orgs.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
              value={organisationId}
              onChange={setOrganisationId}
              error={fieldError(error, 'organisationId')}
            />
            <Radio.Group label="Rating systems that count in this group's safety check" value={ratingMode} onChange={(v) => setRatingMode(v as RatingMode)}>
              <Stack gap={6} mt={6}>
                <Radio value="all" label="All rating systems" />
                <Radio value="none" label="None (the record is not checked for this group)" />
                <Radio value="selected" label="Only the ones selected" />
              </Stack>
            </Radio.Group>
            {ratingMode === 'selected' ? (
              <Checkbox.Group value={selected} onChange={setSelected} label="Selected rating systems" error={fieldError(error, 'ratingSystemIds')}>
                <Stack gap={4} mt={6}>
                  {(systems.data?.items ?? [])
                    .filter((s) => s.enabled)
                    .map((s) => (
                      <Checkbox key={s.id} value={s.id} label={s.name} />
                    ))}
                </Stack>
              </Checkbox.Group>
            ) : null}
            <FormError error={error} fields={['organisationId', 'ratingSystemIds']} />
            {saved ? <Text c="green" size="sm" role="status">Saved.</Text> : null}
            <Group>
              <Button onClick={() => void save()} disabled={!organisationId}>
                {link ? 'Save' : 'Link group'}
              </Button>
              {link ? (
                <ConfirmButton color="red" variant="light" confirmLabel="Unlink" title="Unlink this group?" message="Linked people stay as they are; the group is no longer imported, pushed or checked against the record." onConfirm={unlink}>
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

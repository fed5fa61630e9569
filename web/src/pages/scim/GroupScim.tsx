import { Alert, Badge, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { client, ok } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { AppLink, CopyField, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { scimActivityQuery, scimGroupQuery, scimKeys } from './queries';
import { formatDateTime } from '../../format';

/** The SCIM tab of a SCIM group: its base URL, its token (shown once) and the requests it received. */
export default function GroupScim() {
  const { groupId = '' } = useParams();
  const status = useQuery(scimGroupQuery(groupId));
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(null);
  const generate = useMutation({
    mutationFn: () => ok(client.POST('/api/scim/groups/{groupId}/token', { params: { path: { groupId } } })),
    onSuccess: (res) => {
      setToken(res.token);
      return queryClient.invalidateQueries({ queryKey: scimKeys.group(groupId) });
    },
  });
  return (
    <QueryState query={status}>
      {(s) => (
        <>
          <PageHeader title={`SCIM: ${s.groupName}`} description="Paste the SCIM URL and the token into your identity provider's provisioning settings, then press Test API Credentials.">
            <AppLink to="/scim">All SCIM groups</AppLink>
          </PageHeader>
          <Stack gap="lg">
            <Card withBorder padding="lg">
              <Stack gap="sm">
                <CopyField label="SCIM URL (Base URL)" value={s.baseUrl} wrap />
                <Group gap="xs">
                  <Text size="sm">Token:</Text>
                  {s.token ? (
                    <Text size="sm">
                      <Code>{s.token.prefix}…</Code> generated {formatDateTime(s.token.createdAt)}
                    </Text>
                  ) : (
                    <Badge color="gray">none yet</Badge>
                  )}
                  <Text size="sm" c="dimmed">
                    {s.users} users · last request {s.lastRequestAt ? formatDateTime(s.lastRequestAt) : 'never'}
                  </Text>
                </Group>
                {token ? (
                  <Alert color="teal" title="Your SCIM token" withCloseButton onClose={() => setToken(null)} closeButtonLabel="Dismiss">
                    <Stack gap="xs">
                      <Text size="sm">Copy it now: it is shown only this once.</Text>
                      <CopyField label="SCIM token (API Token)" value={token} wrap />
                    </Stack>
                  </Alert>
                ) : null}
                {s.token ? null : <FormError error={generate.error} />}
                <Group>
                  {s.token ? (
                    <ConfirmButton
                      title="Generate a new SCIM token?"
                      message="The current token stops working at once: provisioning fails until you paste the new token into your identity provider."
                      confirmLabel="Generate and revoke the old one"
                      color="red"
                      variant="light"
                      onConfirm={() => generate.mutateAsync()}
                    >
                      Generate SCIM token
                    </ConfirmButton>
                  ) : (
                    <Button loading={generate.isPending} onClick={() => generate.mutate()}>
                      Generate SCIM token
                    </Button>
                  )}
                </Group>
              </Stack>
            </Card>
            <ActivityLog groupId={groupId} />
          </Stack>
        </>
      )}
    </QueryState>
  );
}

function ActivityLog({ groupId }: { groupId: string }) {
  const [before, setBefore] = useState<string[]>([]);
  const page = useQuery(scimActivityQuery(groupId, before.at(-1)));
  const nextBefore = page.data?.nextBefore;
  return (
    <Card withBorder padding="lg" aria-labelledby="scim-activity-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="scim-activity-title">
          Activity (last 30 days)
        </Title>
        <Button variant="default" size="xs" loading={page.isFetching} onClick={() => void page.refetch()}>
          Refresh
        </Button>
      </Group>
      <QueryState query={page} empty="No requests yet.">
        {(data) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Request</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{formatDateTime(r.at)}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    {r.method} {r.path}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={r.status < 400 ? 'teal' : r.status < 500 ? 'orange' : 'red'}>{r.status}</Badge>
                  </Table.Td>
                  <Table.Td>{r.errorDetail ? `${r.scimType ? `${r.scimType}: ` : ''}${r.errorDetail}` : ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Group mt="sm">
        {before.length > 0 ? (
          <Button variant="default" size="xs" onClick={() => setBefore((b) => b.slice(0, -1))}>
            Newer
          </Button>
        ) : null}
        {nextBefore ? (
          <Button variant="default" size="xs" onClick={() => setBefore((b) => [...b, nextBefore])}>
            Older
          </Button>
        ) : null}
      </Group>
    </Card>
  );
}

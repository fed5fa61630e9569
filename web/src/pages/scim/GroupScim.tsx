import { Alert, Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, ErrorState, FormError, LoadingState, PageHeader, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';

type Status = {
  groupId: string;
  groupName: string;
  baseUrl: string;
  token: { prefix: string; createdAt: string; createdBy: string | null } | null;
  lastRequestAt: string | null;
  users: number;
};
type Activity = {
  items: Array<{ id: string; at: string; method: string; path: string; status: number; durationMs: number; scimType: string | null; errorDetail: string | null }>;
  nextBefore: string | null;
};

/** The SCIM tab of a SCIM group: its base URL, its token (shown once) and the requests it received. */
export default function GroupScim() {
  const { groupId = '' } = useParams();
  const status = useApi<Status>(`/api/scim/groups/${groupId}`);
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const generate = async () => {
    setError(null);
    setBusy(true);
    try {
      const res = await api.post<{ baseUrl: string; token: string }>(`/api/scim/groups/${groupId}/token`, {});
      setToken(res.token);
      status.reload();
    } catch (err) {
      setError(err);
      throw err;
    } finally {
      setBusy(false);
    }
  };
  if (status.loading && !status.data) return <LoadingState />;
  if (status.error) return <ErrorState error={status.error} onRetry={status.reload} />;
  const s = status.data!;
  return (
    <>
      <PageHeader title={`SCIM: ${s.groupName}`} description="Paste the SCIM URL and the token into your identity provider's provisioning settings, then press Test API Credentials.">
        <Anchor component={Link} to="/scim">
          All SCIM groups
        </Anchor>
      </PageHeader>
      <Stack gap="lg">
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <CopyField label="SCIM URL (Base URL)" value={s.baseUrl} />
            <Group gap="xs">
              <Text size="sm">Token:</Text>
              {s.token ? (
                <Badge color="teal" variant="light">
                  {s.token.prefix}… generated {formatDateTime(s.token.createdAt)}
                </Badge>
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
                  <CopyField label="SCIM token (API Token)" value={token} />
                </Stack>
              </Alert>
            ) : null}
            <FormError error={error} />
            <Group>
              {s.token ? (
                <ConfirmButton
                  title="Generate a new SCIM token?"
                  message="The current token stops working at once: provisioning fails until you paste the new token into your identity provider."
                  confirmLabel="Generate and revoke the old one"
                  color="red"
                  variant="light"
                  onConfirm={generate}
                >
                  Generate SCIM token
                </ConfirmButton>
              ) : (
                <Button loading={busy} onClick={() => void generate().catch(() => undefined)}>
                  Generate SCIM token
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
        <ActivityLog groupId={groupId} />
      </Stack>
    </>
  );
}

function ActivityLog({ groupId }: { groupId: string }) {
  const [before, setBefore] = useState<string[]>([]);
  const cursor = before.at(-1);
  const page = useApi<Activity>(`/api/scim/groups/${groupId}/activity?limit=50${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`);
  return (
    <Card withBorder padding="lg" aria-labelledby="scim-activity-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="scim-activity-title">
          Activity (last 30 days)
        </Title>
        <Button variant="default" size="xs" onClick={page.reload}>
          Refresh
        </Button>
      </Group>
      {page.loading && !page.data ? <LoadingState /> : null}
      {page.error ? <ErrorState error={page.error} onRetry={page.reload} /> : null}
      {page.data && page.data.items.length === 0 ? <Text c="dimmed">No requests yet.</Text> : null}
      {page.data && page.data.items.length > 0 ? (
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
            {page.data.items.map((r) => (
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
      ) : null}
      <Group mt="sm">
        {before.length > 0 ? (
          <Button variant="default" size="xs" onClick={() => setBefore((b) => b.slice(0, -1))}>
            Newer
          </Button>
        ) : null}
        {page.data?.nextBefore ? (
          <Button variant="default" size="xs" onClick={() => setBefore((b) => [...b, page.data!.nextBefore!])}>
            Older
          </Button>
        ) : null}
      </Group>
    </Card>
  );
}

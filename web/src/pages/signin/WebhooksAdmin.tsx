import { Alert, Badge, Button, Card, Checkbox, Group, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { api, type ApiError } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, ErrorState, FormError, LoadingState, PageHeader, fieldError, formatDateTime } from '../../components/common';
import { useApi } from '../../hooks';
import { WEBHOOK_EVENTS, type Delivery, type Webhook, type WebhookEvent } from './rollCallLive';

/** Webhook subscriptions, their signing keys (shown once), delivery logs and test events. */
export default function WebhooksAdmin() {
  const hooks = useApi<{ items: Webhook[] }>('/api/signin/webhooks');
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Threshold POSTs visit events to these URLs as JSON, signed in the Threshold-Signature header (t=<unix time>,v1=<HMAC-SHA256 of “t.body”>). Failed deliveries are retried with growing delays."
      />
      <Stack gap="lg">
        {secret ? (
          <Alert color="teal" title={`Signing key for ${secret.url}`} withCloseButton onClose={() => setSecret(null)} closeButtonLabel="Dismiss">
            <Stack gap="xs">
              <Text size="sm">Copy it now: it is shown only this once. Use it to check the signature of every delivery.</Text>
              <CopyField label="Signing key" value={secret.secret} />
            </Stack>
          </Alert>
        ) : null}
        <CreateWebhook
          onCreated={(w, s) => {
            setSecret({ url: w.url, secret: s });
            hooks.reload();
          }}
        />
        {hooks.loading && !hooks.data ? <LoadingState /> : null}
        {hooks.error ? <ErrorState error={hooks.error} onRetry={hooks.reload} /> : null}
        {hooks.data && hooks.data.items.length === 0 ? <Text c="dimmed">No webhooks yet.</Text> : null}
        {hooks.data?.items.map((w) => (
          <WebhookCard key={w.id} webhook={w} onChange={hooks.reload} onSecret={(s) => setSecret({ url: w.url, secret: s })} />
        ))}
      </Stack>
    </>
  );
}

function CreateWebhook({ onCreated }: { onCreated: (w: Webhook, secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['visit.signed_in', 'visit.signed_out', 'visit.rejected']);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ webhook: Webhook; secret: string }>('/api/signin/webhooks', { url, events });
      onCreated(res.webhook, res.secret);
      setUrl('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="lg" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-labelledby="new-hook-title">
      <Title order={2} size="h4" mb="sm" id="new-hook-title">
        Add a webhook
      </Title>
      <Stack gap="sm">
        <FormError error={error} fields={['url', 'events']} />
        <TextInput label="URL" placeholder="https://example.org/threshold-events" value={url} onChange={(e) => setUrl(e.currentTarget.value)} required error={fieldError(error, 'url')} />
        <Checkbox.Group label="Events" value={events} onChange={(v) => setEvents(v as WebhookEvent[])} error={fieldError(error, 'events')}>
          <Stack gap={4} mt={4}>
            {WEBHOOK_EVENTS.map((ev) => (
              <Checkbox key={ev.value} value={ev.value} label={ev.label} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group>
          <Button type="submit" loading={busy} disabled={events.length === 0}>
            Add webhook
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function WebhookCard({ webhook: w, onChange, onSecret }: { webhook: Webhook; onChange: () => void; onSecret: (s: string) => void }) {
  const [showLog, setShowLog] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <Card withBorder padding="lg" component="section" aria-label={`Webhook ${w.url}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Text ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {w.url}
          </Text>
          <Switch
            label="Active"
            checked={w.active}
            onChange={(e) => {
              const active = e.currentTarget.checked;
              void act(async () => {
                await api.patch(`/api/signin/webhooks/${w.id}`, { active });
                onChange();
              });
            }}
          />
        </Group>
        <Group gap="xs">
          {w.events.map((ev) => (
            <Badge key={ev} variant="light">
              {ev}
            </Badge>
          ))}
        </Group>
        <FormError error={error} />
        {sent ? (
          <Text size="sm" c="teal" role="status">
            Test event queued; see the delivery log.
          </Text>
        ) : null}
        <Group gap="xs" wrap="wrap">
          <Button
            variant="light"
            size="xs"
            disabled={!w.active}
            onClick={() =>
              void act(async () => {
                await api.post(`/api/signin/webhooks/${w.id}/test`);
                setSent(true);
                setShowLog(true);
              })
            }
          >
            Send test event
          </Button>
          <Button variant="default" size="xs" onClick={() => setShowLog((s) => !s)} aria-expanded={showLog}>
            {showLog ? 'Hide delivery log' : 'Delivery log'}
          </Button>
          <ConfirmButton
            size="xs"
            variant="default"
            title="Regenerate the signing key?"
            message="The old key stops working at once: update the receiving system with the new one."
            confirmLabel="Regenerate"
            onConfirm={async () => {
              const res = await api.post<{ secret: string }>(`/api/signin/webhooks/${w.id}/secret`);
              onSecret(res.secret);
            }}
          >
            Regenerate key
          </ConfirmButton>
          <ConfirmButton
            size="xs"
            variant="light"
            color="red"
            title="Delete this webhook?"
            message="Deliveries stop and its log is deleted."
            confirmLabel="Delete"
            onConfirm={async () => {
              await api.del(`/api/signin/webhooks/${w.id}`);
              onChange();
            }}
          >
            Delete
          </ConfirmButton>
        </Group>
        {showLog ? <DeliveryLog id={w.id} /> : null}
      </Stack>
    </Card>
  );
}

const PENDING_REFRESH_MS = 2000;

function DeliveryLog({ id }: { id: string }) {
  const log = useApi<{ items: Delivery[] }>(`/api/signin/webhooks/${id}/deliveries`);
  const pending = log.data?.items.some((d) => d.status === 'pending') ?? false;
  const { reload } = log;
  // While a delivery is in flight (or being retried), keep the log fresh.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(reload, PENDING_REFRESH_MS);
    return () => clearInterval(t);
  }, [pending, reload]);
  return (
    <Stack gap="xs">
      <Group>
        <Button size="xs" variant="subtle" onClick={log.reload}>
          Refresh
        </Button>
      </Group>
      {log.loading && !log.data ? <LoadingState /> : null}
      {log.error ? <ErrorState error={log.error} onRetry={log.reload} /> : null}
      {log.data && log.data.items.length === 0 ? <Text c="dimmed">No deliveries yet.</Text> : null}
      {log.data && log.data.items.length > 0 ? (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing="xs" aria-label="Delivery log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>HTTP</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>Error / response</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {log.data.items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{formatDateTime(d.createdAt)}</Table.Td>
                  <Table.Td>{d.event}</Table.Td>
                  <Table.Td>
                    <Badge color={d.status === 'succeeded' ? 'teal' : d.status === 'failed' ? 'red' : 'yellow'}>{d.status}</Badge>
                  </Table.Td>
                  <Table.Td>{d.lastStatusCode ?? '—'}</Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td>{d.lastDurationMs === null ? '—' : `${d.lastDurationMs} ms`}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                      {d.lastError ?? d.responseSnippet ?? ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}

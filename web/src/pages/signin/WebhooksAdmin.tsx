import { Alert, Badge, Button, Card, Checkbox, Group, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyField, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { useFormSubmit } from '../../forms';
import { WEBHOOK_EVENTS, type WebhookEvent } from './rollCallLive';
import { deliveriesQuery, webhookKeys, webhooksQuery } from './queries';
import { formatDateTime } from '../../format';

type Webhook = Answer<'/api/signin/webhooks'>['items'][number];

/** Webhook subscriptions, their signing keys (shown once), delivery logs and test events. */
export default function WebhooksAdmin() {
  const hooks = useQuery(webhooksQuery());
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
        <CreateWebhook onCreated={(w, s) => setSecret({ url: w.url, secret: s })} />
        <QueryState query={hooks} empty="No webhooks yet.">
          {(data) => data.items.map((w) => <WebhookCard key={w.id} webhook={w} onSecret={(s) => setSecret({ url: w.url, secret: s })} />)}
        </QueryState>
      </Stack>
    </>
  );
}

function CreateWebhook({ onCreated }: { onCreated: (w: Webhook, secret: string) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<{ url: string; events: WebhookEvent[] }>({ initialValues: { url: '', events: ['visit.signed_in', 'visit.signed_out', 'visit.rejected'] } });
  const submit = useFormSubmit(form, {
    mutationFn: (body) => ok(client.POST('/api/signin/webhooks', { body })),
    onSuccess: (res) => {
      onCreated(res.webhook, res.secret);
      form.setFieldValue('url', '');
      return queryClient.invalidateQueries({ queryKey: webhookKeys.all });
    },
  });
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit.onSubmit} noValidate aria-labelledby="new-hook-title">
      <Title order={2} size="h4" mb="sm" id="new-hook-title">
        Add a webhook
      </Title>
      <Stack gap="sm">
        <FormError error={submit.formError} />
        <TextInput label="URL" placeholder="https://example.org/threshold-events" required {...form.getInputProps('url')} />
        <Checkbox.Group label="Events" {...form.getInputProps('events')}>
          <Stack gap={4} mt={4}>
            {WEBHOOK_EVENTS.map((ev) => (
              <Checkbox key={ev.value} value={ev.value} label={ev.label} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group>
          <Button type="submit" loading={submit.busy} disabled={form.getValues().events.length === 0}>
            Add webhook
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function WebhookCard({ webhook: w, onSecret }: { webhook: Webhook; onSecret: (s: string) => void }) {
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const path = { params: { path: { id: w.id } } };
  const invalidate = () => queryClient.invalidateQueries({ queryKey: webhookKeys.all });
  const setActive = useMutation({ mutationFn: (active: boolean) => ok(client.PATCH('/api/signin/webhooks/{id}', { ...path, body: { active } })), onSettled: invalidate });
  const test = useMutation({
    mutationFn: () => ok(client.POST('/api/signin/webhooks/{id}/test', path)),
    onSuccess: () => {
      setShowLog(true);
      return queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(w.id) });
    },
  });
  const regenerate = useMutation({ mutationFn: () => ok(client.POST('/api/signin/webhooks/{id}/secret', path)), onSuccess: (res) => onSecret(res.secret) });
  const remove = useMutation({ mutationFn: () => ok(client.DELETE('/api/signin/webhooks/{id}', path)), onSettled: invalidate });
  return (
    <Card withBorder padding="lg" component="section" aria-label={`Webhook ${w.url}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Text ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {w.url}
          </Text>
          <Switch label="Active" checked={w.active} disabled={setActive.isPending} onChange={(e) => setActive.mutate(e.currentTarget.checked)} />
        </Group>
        <Group gap="xs">
          {w.events.map((ev) => (
            <Badge key={ev} variant="light">
              {ev}
            </Badge>
          ))}
        </Group>
        <FormError error={setActive.error ?? test.error} />
        {test.isSuccess ? (
          <Text size="sm" c="teal.9" role="status">
            Test event queued; see the delivery log.
          </Text>
        ) : null}
        <Group gap="xs" wrap="wrap">
          <Button variant="light" size="xs" disabled={!w.active} loading={test.isPending} onClick={() => test.mutate()}>
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
            onConfirm={() => regenerate.mutateAsync()}
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
            onConfirm={() => remove.mutateAsync()}
          >
            Delete
          </ConfirmButton>
        </Group>
        {showLog ? <DeliveryLog id={w.id} /> : null}
      </Stack>
    </Card>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const log = useQuery(deliveriesQuery(id));
  return (
    <Stack gap="xs">
      <Group>
        <Button size="xs" variant="subtle" onClick={() => void log.refetch()}>
          Refresh
        </Button>
      </Group>
      <QueryState query={log} empty="No deliveries yet.">
        {(data) => (
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
              {data.items.map((d) => (
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
        )}
      </QueryState>
    </Stack>
  );
}

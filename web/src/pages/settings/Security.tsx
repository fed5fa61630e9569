import { Alert, Card, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { client, ok } from '../../api/client';
import { CopyField, FormError, PageHeader } from '../../components/common';
import { useMe, useSession } from '../../session';

export default function Security() {
  const me = useMe();
  const { refresh } = useSession();
  // The tenant is part of the session (/api/auth/session): refreshing it is this change's invalidation.
  const require2fa = useMutation({
    mutationFn: (on: boolean) => ok(client.PATCH('/api/tenant', { body: { require2fa: on } })),
    onSuccess: (_res, on) => {
      notifications.show({ color: 'teal', message: on ? 'Two-factor sign-in is now required for everyone.' : 'Two-factor sign-in is now optional.' });
      return refresh();
    },
  });

  return (
    <>
      <PageHeader title="Security" description={`Sign-in rules for everyone at ${me.tenant.name}.`} />
      <Card withBorder padding="lg">
        <Stack>
          <Switch
            label="Require two-factor sign-in for everyone"
            description="Users without it are asked to set it up the next time they sign in, before they can do anything else."
            checked={me.tenant.require2fa}
            disabled={require2fa.isPending}
            onChange={(e) => require2fa.mutate(e.currentTarget.checked)}
            size="md"
          />
          {me.tenant.require2fa && !me.user.totpEnabled ? (
            <Alert color="orange">You have not set up two-factor sign-in yourself yet. Do it under My account.</Alert>
          ) : null}
          <FormError error={require2fa.error} />
          <Text size="xs" c="dimmed">
            API keys are not affected: they are separate credentials, revocable under API keys.
          </Text>
        </Stack>
      </Card>
      <Card withBorder padding="lg" mt="lg" aria-labelledby="tenant-id">
        <Title order={2} size="h4" id="tenant-id" mb="sm">
          Tenant
        </Title>
        <CopyField
          label="Tenant id"
          value={me.tenant.id}
          description={`The command line (npm run cli) names ${me.tenant.name} by this id, or by its name when no other tenant has it.`}
        />
      </Card>
    </>
  );
}

import { Alert, Badge, Button, Card, Group, Image, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { client, ok } from '../../api/client';
import { CopyField, FormError, PageHeader } from '../../components/common';
import { useFormSubmit } from '../../forms';
import { NewPasswordFields } from '../auth/NewPasswordFields';
import { useMe, useSession } from '../../session';

export default function Account() {
  const me = useMe();
  return (
    <>
      <PageHeader title="My account" description={[me.user.name, me.user.email, `${me.user.role} at ${me.tenant.name}`].filter(Boolean).join(' · ')} />
      {me.mustEnrolTotp ? (
        <Alert color="orange" title="Set up two-factor sign-in to continue" mb="md" role="alert">
          {me.tenant.name} requires two-factor sign-in for everyone. Set it up below; the rest of Threshold opens once it is on.
        </Alert>
      ) : null}
      <Stack gap="lg">
        <TwoFactorCard />
        <ChangePasswordCard />
      </Stack>
    </>
  );
}

function ChangePasswordCard() {
  const { refresh } = useSession();
  const form = useForm({ initialValues: { currentPassword: '', newPassword: '', confirm: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: ({ currentPassword, newPassword }) => ok(client.POST('/api/auth/password', { body: { currentPassword, newPassword } })),
    onSuccess: () => {
      form.reset();
      notifications.show({ color: 'teal', message: 'Your password is changed. Your other sessions are signed out.' });
      return refresh();
    },
  });
  const { currentPassword, newPassword, confirm } = form.getValues();

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="change-password-title">
      <Title order={2} size="h4" mb="sm" id="change-password-title">
        Change password
      </Title>
      <form onSubmit={submit.onSubmit} noValidate style={{ maxWidth: 420 }}>
        <PasswordInput label="Current password" autoComplete="current-password" required {...form.getInputProps('currentPassword')} mb="sm" />
        <NewPasswordFields
          password={newPassword}
          confirm={confirm}
          onPassword={(v) => form.setFieldValue('newPassword', v)}
          onConfirm={(v) => form.setFieldValue('confirm', v)}
          error={typeof form.errors.newPassword === 'string' ? form.errors.newPassword : undefined}
        />
        <FormError error={submit.formError} />
        <Button type="submit" loading={submit.busy} disabled={!currentPassword || !newPassword || newPassword !== confirm} mt="sm">
          Change password
        </Button>
      </form>
    </Card>
  );
}

function TwoFactorCard() {
  const me = useMe();
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="two-factor-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="two-factor-title">
          Two-factor sign-in
        </Title>
        {me.user.totpEnabled ? <Badge color="teal">On</Badge> : <Badge color="gray">Off</Badge>}
      </Group>
      {me.user.totpEnabled ? <DisableTotp /> : <EnableTotp />}
    </Card>
  );
}

/** The server sends the QR code as a data URL; accept bare SVG too. */
function qrSrc(qr: string): string {
  return qr.startsWith('data:image/') ? qr : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr)}`;
}

const digits = (code: string) => code.replace(/\s+/g, '');

function EnableTotp() {
  const { refresh } = useSession();
  // The secret is made once per click and shown until the code confirms it: a mutation's answer, not a query.
  const setup = useMutation({ mutationFn: () => ok(client.POST('/api/auth/totp/setup')) });
  const form = useForm({ initialValues: { code: '' } });
  const enable = useFormSubmit(form, {
    mutationFn: ({ code }) => ok(client.POST('/api/auth/totp/enable', { body: { code: digits(code) } })),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: 'Two-factor sign-in is on.' });
      return refresh();
    },
  });

  if (!setup.data) {
    return (
      <Stack align="flex-start">
        <Text size="sm">Ask for a code from an authenticator app (such as Microsoft Authenticator, Google Authenticator or 1Password) each time you sign in.</Text>
        <FormError error={setup.error} />
        <Button onClick={() => setup.mutate()} loading={setup.isPending}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">1. Scan this code with your authenticator app, or type the key below into it.</Text>
      {/* The SVG is made by our server; shown as an image so it can never run as markup. */}
      <Image src={qrSrc(setup.data.qrSvg)} alt="QR code for your authenticator app" w={200} h={200} fit="contain" />
      <CopyField label="Setup key" value={setup.data.secret} />
      <form onSubmit={enable.onSubmit} noValidate style={{ maxWidth: 420 }}>
        <Text size="sm" mb="xs">
          2. Enter the 6-digit code the app shows.
        </Text>
        <TextInput label="Authentication code" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} {...form.getInputProps('code')} mb="sm" />
        <FormError error={enable.formError} />
        <Button type="submit" loading={enable.busy} disabled={!form.getValues().code} mt="sm">
          Turn on two-factor
        </Button>
      </form>
    </Stack>
  );
}

function DisableTotp() {
  const me = useMe();
  const { refresh } = useSession();
  const form = useForm({ initialValues: { password: '', code: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: ({ password, code }) => ok(client.POST('/api/auth/totp/disable', { body: { password, code: digits(code) } })),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: 'Two-factor sign-in is off.' });
      return refresh();
    },
  });
  const { password, code } = form.getValues();

  // The server refuses to turn it off while the organisation requires it (totp_required_by_tenant).
  if (me.tenant.require2fa) {
    return (
      <Text size="sm">
        Your sign-in asks for a code from your authenticator app. Your organisation requires two-factor sign-in, so it stays on; an owner can stop requiring it under Security.
      </Text>
    );
  }
  return (
    <Stack>
      <Text size="sm">Your sign-in asks for a code from your authenticator app.</Text>
      <form onSubmit={submit.onSubmit} noValidate style={{ maxWidth: 420 }}>
        <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} mb="sm" />
        <TextInput label="Authentication code" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} {...form.getInputProps('code')} mb="sm" />
        <FormError error={submit.formError} />
        <Button type="submit" color="red" variant="light" loading={submit.busy} disabled={!password || !code} mt="sm">
          Turn off two-factor
        </Button>
      </form>
    </Stack>
  );
}

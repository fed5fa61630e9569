import { Alert, Badge, Button, Card, Group, Image, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useAction } from '../../hooks';
import { api, type TotpSetup } from '../../api';
import { CopyField, FormError, PageHeader, fieldError } from '../../components/common';
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
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, run } = useAction();
  const { refresh } = useSession();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (newPassword !== confirm) return;
    void run(async () => {
      await api.post('/api/auth/password', { currentPassword, newPassword });
      setCurrent('');
      setNew('');
      setConfirm('');
      notifications.show({ color: 'teal', message: 'Your password is changed. Your other sessions are signed out.' });
      await refresh();
    });
  };

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="change-password-title">
      <Title order={2} size="h4" mb="sm" id="change-password-title">
        Change password
      </Title>
      <form onSubmit={submit} noValidate style={{ maxWidth: 420 }}>
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          error={fieldError(error, 'currentPassword')}
          mb="sm"
        />
        <NewPasswordFields password={newPassword} confirm={confirm} onPassword={setNew} onConfirm={setConfirm} error={fieldError(error, 'newPassword')} />
        <FormError error={error} fields={['currentPassword', 'newPassword']} />
        <Button type="submit" loading={busy} disabled={!currentPassword || !newPassword || newPassword !== confirm} mt="sm">
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

function EnableTotp() {
  const { refresh } = useSession();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();

  const start = () => run(async () => setSetup(await api.post<TotpSetup>('/api/auth/totp/setup')));

  const enable = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.post('/api/auth/totp/enable', { code: code.replace(/\s+/g, '') });
      notifications.show({ color: 'teal', message: 'Two-factor sign-in is on.' });
      await refresh();
    });
  };

  if (!setup) {
    return (
      <Stack align="flex-start">
        <Text size="sm">Ask for a code from an authenticator app (such as Microsoft Authenticator, Google Authenticator or 1Password) each time you sign in.</Text>
        <FormError error={error} />
        <Button onClick={() => void start()} loading={busy}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">1. Scan this code with your authenticator app, or type the key below into it.</Text>
      {/* The SVG is made by our server; shown as an image so it can never run as markup. */}
      <Image src={qrSrc(setup.qrSvg)} alt="QR code for your authenticator app" w={200} h={200} fit="contain" />
      <CopyField label="Setup key" value={setup.secret} />
      <form onSubmit={enable} noValidate style={{ maxWidth: 420 }}>
        <Text size="sm" mb="xs">
          2. Enter the 6-digit code the app shows.
        </Text>
        <TextInput
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={10}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={fieldError(error, 'code')}
          mb="sm"
        />
        <FormError error={error} fields={['code']} />
        <Button type="submit" loading={busy} disabled={!code} mt="sm">
          Turn on two-factor
        </Button>
      </form>
    </Stack>
  );
}

function DisableTotp() {
  const me = useMe();
  const { refresh } = useSession();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.post('/api/auth/totp/disable', { password, code: code.replace(/\s+/g, '') });
      notifications.show({ color: 'teal', message: 'Two-factor sign-in is off.' });
      await refresh();
    });
  };

  return (
    <Stack>
      <Text size="sm">
        Your sign-in asks for a code from your authenticator app.
        {me.tenant.require2fa ? ' Your organisation requires two-factor, so turning it off will ask you to set it up again.' : ''}
      </Text>
      <form onSubmit={submit} noValidate style={{ maxWidth: 420 }}>
        <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(error, 'password')} mb="sm" />
        <TextInput
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={10}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={fieldError(error, 'code')}
          mb="sm"
        />
        <FormError error={error} fields={['password', 'code']} />
        <Button type="submit" color="red" variant="light" loading={busy} disabled={!password || !code} mt="sm">
          Turn off two-factor
        </Button>
      </form>
    </Stack>
  );
}

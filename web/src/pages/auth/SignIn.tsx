import { Anchor, Button, PasswordInput, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useAction } from '../../hooks';
import { Link, Navigate, useSearchParams } from 'react-router';
import { api, type Me } from '../../api';
import { FormError, LoadingState, fieldError } from '../../components/common';
import { useSession } from '../../session';
import { AuthCard } from './AuthCard';

/** Only same-origin paths, so ?next= cannot send people elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function SignIn() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  if (session.state.status === 'loading') return <LoadingState />;
  if (session.state.status === 'signed-in') return <Navigate to={next} replace />;
  if (session.state.status === 'totp') return <TotpStep />;
  return <PasswordStep />;
}

function PasswordStep() {
  const { accept } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => accept(await api.post<Me>('/api/auth/login', { email, password })));
  };

  return (
    <AuthCard title="Sign in" footer={<Anchor component={Link} to="/reset">Forgot your password?</Anchor>}>
      <form onSubmit={submit} noValidate>
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fieldError(error, 'email')}
          mb="sm"
          data-autofocus
          autoFocus
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={fieldError(error, 'password')}
          mb="md"
        />
        <FormError error={error} fields={['email', 'password']} />
        <Button type="submit" fullWidth loading={busy} mt="sm">
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}

function TotpStep() {
  const { refresh, signOut } = useSession();
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.post('/api/auth/totp', { code: code.replace(/\s+/g, '') });
      await refresh();
    });
  };

  return (
    <AuthCard
      title="Two-factor check"
      footer={
        <Anchor component="button" type="button" onClick={() => void signOut()}>
          Use a different account
        </Anchor>
      }
    >
      <Text size="sm">Enter the 6-digit code from your authenticator app.</Text>
      <form onSubmit={submit} noValidate>
        <TextInput
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={10}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={fieldError(error, 'code')}
          mb="md"
          autoFocus
        />
        <FormError error={error} fields={['code']} />
        <Button type="submit" fullWidth loading={busy} mt="sm">
          Verify
        </Button>
      </form>
    </AuthCard>
  );
}

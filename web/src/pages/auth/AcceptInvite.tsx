import { Anchor, Button, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type InvitePreview, type Me } from '../../api';
import { ErrorState, FormError, LoadingState, fieldError } from '../../components/common';
import { useApi } from '../../hooks';
import { useSession } from '../../session';
import { AuthCard } from './AuthCard';
import { NewPasswordFields } from './NewPasswordFields';

export default function AcceptInvite() {
  const { token = '' } = useParams();
  const invite = useApi<InvitePreview>(`/api/invites/${encodeURIComponent(token)}`);
  if (invite.loading) return <LoadingState />;
  if (invite.error || !invite.data) {
    return (
      <AuthCard title="Accept your invitation" footer={<Anchor component={Link} to="/login">Go to sign in</Anchor>}>
        <ErrorState error={invite.error ?? new Error('This invitation is not valid.')} />
        <Text size="sm">Invitation links work once and expire. Ask whoever invited you for a new one.</Text>
      </AuthCard>
    );
  }
  return <AcceptForm token={token} info={invite.data} />;
}

function AcceptForm({ token, info }: { token: string; info: InvitePreview }) {
  const { accept } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState(info.name ?? '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) return;
    setBusy(true);
    setError(null);
    try {
      // The answer is a signed-in session for the new account.
      accept(await api.post<Me>('/api/invites/accept', { token, password, name }));
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Accept your invitation">
      <Text size="sm">
        You have been invited to {info.tenantName} as {info.role}. Choose a password to finish setting up your account.
      </Text>
      <form onSubmit={submit} noValidate>
        <TextInput label="Email" value={info.email} readOnly mb="sm" />
        <TextInput
          label="Your name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(error, 'name')}
          mb="sm"
        />
        <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} label="Password" error={fieldError(error, 'password')} />
        <FormError error={error} fields={['name', 'password']} />
        <Button type="submit" fullWidth loading={busy} disabled={!password || password !== confirm} mt="sm">
          Create my account
        </Button>
      </form>
    </AuthCard>
  );
}

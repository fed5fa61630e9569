import { Alert, Anchor, Button } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import { FormError, fieldError } from '../../components/common';
import { AuthCard } from './AuthCard';
import { NewPasswordFields } from './NewPasswordFields';

export default function ResetComplete() {
  const { token = '' } = useParams();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/password-reset/complete', { token, password });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Choose a new password" footer={<Anchor component={Link} to="/login">Back to sign in</Anchor>}>
      {done ? (
        <>
          <Alert color="teal" role="status">
            Your password has been changed. Other sessions have been signed out.
          </Alert>
          <Button component={Link} to="/login">
            Sign in
          </Button>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} error={fieldError(error, 'password')} />
          <FormError error={error} fields={['password']} />
          <Button type="submit" fullWidth loading={busy} disabled={!password || password !== confirm} mt="sm">
            Set the new password
          </Button>
        </form>
      )}
    </AuthCard>
  );
}

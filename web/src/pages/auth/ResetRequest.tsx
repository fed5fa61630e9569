import { Alert, Anchor, Button, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { FormError, fieldError } from '../../components/common';
import { AuthCard } from './AuthCard';

export default function ResetRequest() {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/password-reset/request', { email });
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Reset your password" footer={<Anchor component={Link} to="/login">Back to sign in</Anchor>}>
      {sent ? (
        <Alert color="teal" role="status" title="Check your email">
          If an account uses {email}, we have sent it a link to choose a new password. The link works once and expires soon.
        </Alert>
      ) : (
        <>
          <Text size="sm">Enter your email address and we will send you a link to choose a new password.</Text>
          <form onSubmit={submit} noValidate>
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldError(error, 'email')}
              mb="md"
              autoFocus
            />
            <FormError error={error} fields={['email']} />
            <Button type="submit" fullWidth loading={busy} mt="sm">
              Send the link
            </Button>
          </form>
        </>
      )}
    </AuthCard>
  );
}

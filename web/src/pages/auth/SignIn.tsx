import { Alert, Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useSearchParams } from 'react-router';
import { client, ok } from '../../api/client';
import { FormError, LoadingState } from '../../components/common';
import { useFormSubmit } from '../../forms';
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
  // A refusal is shown even to a signed-in browser (e.g. an old provider answer opened again).
  const refused = params.get('refused');
  if (refused) return <Refused reason={refused} />;
  if (session.state.status === 'loading') return <LoadingState />;
  if (session.state.status === 'signed-in') return <Navigate to={next} replace />;
  if (session.state.status === 'totp') return <TotpStep />;
  return <PasswordStep endSession={session.state.status === 'signed-out' ? session.state.endSession : undefined} />;
}

/** Why an identity provider sign-in was refused (the server's reasons, in words for people). */
const REFUSALS: Record<string, string> = {
  token_invalid: 'The identity provider’s answer could not be verified. Try again; if it keeps happening, tell your administrator.',
  state_invalid: 'This sign-in link was already used, has expired or was started in another browser. Start again from this page.',
  issuer_unreachable: 'The identity provider did not answer. Try again later, or tell your administrator.',
  idp_error: 'The identity provider did not sign you in.',
  connection_disabled: 'Signing in through this identity provider is turned off.',
  email_missing: 'The identity provider did not send your email address.',
  email_not_verified: 'The identity provider has not verified your email address.',
  wrong_domain: 'Your email domain is not served by this identity provider connection.',
  wrong_idp_tenant: 'Your account belongs to a different directory of the identity provider.',
  wrong_tenant: 'This email belongs to another organisation.',
  unknown_user: 'There is no Threshold user with your email in this organisation. Ask your administrator to add you.',
  user_disabled: 'Your Threshold account is disabled.',
  not_in_allowed_group: 'Your account is not in a group allowed to use Threshold.',
  groups_overage: 'Your account is in too many groups for the identity provider to list them. Ask your administrator to limit the groups it sends.',
};

function Refused({ reason }: { reason: string }) {
  return (
    <AuthCard title="Sign-in refused" footer={<Anchor component={Link} to="/login">Back to sign in</Anchor>}>
      <Alert color="red" role="alert" title="You are not signed in">
        {REFUSALS[reason] ?? 'The sign-in through your identity provider was refused.'}
      </Alert>
      <Text size="sm" c="dimmed">
        Reason code: {reason}
      </Text>
    </AuthCard>
  );
}

function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = at >= 0 ? email.slice(at + 1).trim().toLowerCase() : '';
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) ? domain : '';
}

/** The identity provider buttons for the email's domain, and whether a password may be used. */
function useDiscovery(email: string) {
  const [debounced] = useDebouncedValue(email.trim(), 300);
  const domain = domainOf(debounced);
  return useQuery({
    queryKey: ['auth', 'oidc-discover', domain],
    queryFn: () => ok(client.GET('/api/auth/oidc/discover', { params: { query: { email: `someone@${domain}` } } })),
    enabled: domain !== '',
    staleTime: 60_000,
  });
}

function PasswordStep({ endSession }: { endSession?: { url: string; label: string } }) {
  const { accept } = useSession();
  const form = useForm({ initialValues: { email: '', password: '' } });
  const submit = useFormSubmit(form, { mutationFn: (body) => ok(client.POST('/api/auth/login', { body })), onSuccess: accept });
  const { email } = form.getValues();
  const discovery = useDiscovery(email);
  const providers = discovery.data?.connections ?? [];
  const passwordAllowed = discovery.data?.passwordSignIn ?? true;

  return (
    <AuthCard title="Sign in" footer={passwordAllowed ? <Anchor component={Link} to="/reset">Forgot your password?</Anchor> : undefined}>
      {endSession ? (
        <Alert color="teal" title="You are signed out of Threshold">
          <Anchor href={endSession.url}>Also sign out of {endSession.label}</Anchor>
        </Alert>
      ) : null}
      <form onSubmit={submit.onSubmit} noValidate>
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          {...form.getInputProps('email')}
          mb="sm"
          data-autofocus
          autoFocus
        />
        {providers.length > 0 ? (
          <Stack gap="xs" mb="md">
            {providers.map((p) => (
              <Button key={p.id} component="a" href={`/api/auth/oidc/${p.id}/start?email=${encodeURIComponent(email.trim())}`} variant="filled" color="dark" fullWidth>
                {p.label}
              </Button>
            ))}
            {passwordAllowed ? <Divider label="or with your password" labelPosition="center" /> : null}
          </Stack>
        ) : null}
        {passwordAllowed ? (
          <>
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.getInputProps('password')}
              mb="md"
            />
            <FormError error={submit.formError} />
            <Button type="submit" fullWidth loading={submit.busy} mt="sm" variant={providers.length > 0 ? 'default' : 'filled'}>
              Sign in
            </Button>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Your organisation signs in only through its identity provider.
          </Text>
        )}
      </form>
    </AuthCard>
  );
}

function TotpStep() {
  const { refresh, signOut } = useSession();
  const form = useForm({ initialValues: { code: '' } });
  const submit = useFormSubmit(form, { mutationFn: ({ code }) => ok(client.POST('/api/auth/totp', { body: { code: code.replace(/\s+/g, '') } })), onSuccess: refresh });

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
      <form onSubmit={submit.onSubmit} noValidate>
        <TextInput label="Authentication code" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} {...form.getInputProps('code')} mb="md" autoFocus />
        <FormError error={submit.formError} />
        <Button type="submit" fullWidth loading={submit.busy} mt="sm">
          Verify
        </Button>
      </form>
    </AuthCard>
  );
}

import { Anchor, Button, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import type { Me } from '../../api';
import { client, ok, type Answer } from '../../api/client';
import { ErrorState, FormError, LoadingState } from '../../components/common';
import { useFormSubmit } from '../../forms';
import { useSession } from '../../session';
import { AuthCard } from './AuthCard';
import { NewPasswordFields } from './NewPasswordFields';

type InvitePreview = Answer<'/api/invites/{token}'>;

export default function AcceptInvite() {
  const { token = '' } = useParams();
  const invite = useQuery({ queryKey: ['invites', token], queryFn: () => ok(client.GET('/api/invites/{token}', { params: { path: { token } } })), retry: false });
  if (invite.isPending) return <LoadingState />;
  if (invite.isError) {
    return (
      <AuthCard title="Accept your invitation" footer={<Anchor component={Link} to="/login">Go to sign in</Anchor>}>
        <ErrorState error={invite.error} startLink={false} />
        <Text size="sm">Invitation links work once and expire. Ask whoever invited you for a new one.</Text>
      </AuthCard>
    );
  }
  return <AcceptForm token={token} info={invite.data} />;
}

/** What the invitation reaches: the whole organisation, or the names of its sites and organisations. */
function reachSentence(reach: InvitePreview['reach']): string {
  if (reach === 'whole_tenant') return 'You will reach the whole organisation.';
  const parts = [reach.sites.length > 0 ? `the sites ${reach.sites.join(', ')}` : '', reach.organisations.length > 0 ? `the organisations ${reach.organisations.join(', ')}` : ''].filter(Boolean);
  if (parts.length === 0) return 'What this invitation was limited to no longer exists: ask for a new invitation.';
  return `You will reach ${parts.join(' and ')}.`;
}

function AcceptForm({ token, info }: { token: string; info: InvitePreview }) {
  const { accept } = useSession();
  const navigate = useNavigate();
  const form = useForm({ initialValues: { name: info.name ?? '', password: '', confirm: '' } });
  const submit = useFormSubmit(form, {
    mutationFn: ({ name, password }) => ok(client.POST('/api/invites/accept', { body: { token, password, name } })),
    onSuccess: (me) => {
      // The answer is a signed-in session for the new account. (The schema types the role as a
      // string; the session's Me narrows it to the roles the server issues.)
      accept(me as Me);
      void navigate('/', { replace: true });
    },
  });
  const { password, confirm } = form.getValues();

  return (
    <AuthCard title="Accept your invitation">
      <Text size="sm">
        You have been invited to {info.tenantName} as {info.role}. Choose a password to finish setting up your account.
      </Text>
      <Text size="sm">{reachSentence(info.reach)}</Text>
      <form onSubmit={submit.onSubmit} noValidate>
        <TextInput label="Email" value={info.email} readOnly mb="sm" />
        <TextInput label="Your name" autoComplete="name" required {...form.getInputProps('name')} mb="sm" />
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={(v) => form.setFieldValue('password', v)}
          onConfirm={(v) => form.setFieldValue('confirm', v)}
          label="Password"
          error={typeof form.errors.password === 'string' ? form.errors.password : undefined}
        />
        <FormError error={submit.formError} />
        <Button type="submit" fullWidth loading={submit.busy} disabled={!password || password !== confirm} mt="sm">
          Create my account
        </Button>
      </form>
    </AuthCard>
  );
}

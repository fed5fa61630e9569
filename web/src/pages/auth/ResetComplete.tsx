import { Alert, Anchor, Button } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link, useParams } from 'react-router';
import { client, ok } from '../../api/client';
import { FormError } from '../../components/common';
import { useFormSubmit } from '../../forms';
import { AuthCard } from './AuthCard';
import { NewPasswordFields } from './NewPasswordFields';

export default function ResetComplete() {
  const { token = '' } = useParams();
  const form = useForm({ initialValues: { password: '', confirm: '' } });
  const submit = useFormSubmit(form, { mutationFn: ({ password }) => ok(client.POST('/api/auth/password-reset/complete', { body: { token, password } })) });
  const { password, confirm } = form.getValues();

  return (
    <AuthCard title="Choose a new password" footer={<Anchor component={Link} to="/login">Back to sign in</Anchor>}>
      {submit.done ? (
        <>
          <Alert color="teal" role="status">
            Your password has been changed. Other sessions have been signed out.
          </Alert>
          <Button component={Link} to="/login">
            Sign in
          </Button>
        </>
      ) : (
        <form onSubmit={submit.onSubmit} noValidate>
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={(v) => form.setFieldValue('password', v)}
            onConfirm={(v) => form.setFieldValue('confirm', v)}
            error={typeof form.errors.password === 'string' ? form.errors.password : undefined}
          />
          <FormError error={submit.formError} />
          <Button type="submit" fullWidth loading={submit.busy} disabled={!password || password !== confirm} mt="sm">
            Set the new password
          </Button>
        </form>
      )}
    </AuthCard>
  );
}

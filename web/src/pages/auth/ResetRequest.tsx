import { Alert, Anchor, Button, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link } from 'react-router';
import { client, ok } from '../../api/client';
import { FormError } from '../../components/common';
import { useFormSubmit } from '../../forms';
import { AuthCard } from './AuthCard';

export default function ResetRequest() {
  const form = useForm({ initialValues: { email: '' } });
  const submit = useFormSubmit(form, { mutationFn: (body) => ok(client.POST('/api/auth/password-reset/request', { body })) });

  return (
    <AuthCard title="Reset your password" footer={<Anchor component={Link} to="/login">Back to sign in</Anchor>}>
      {submit.done ? (
        <Alert color="teal" role="status" title="Check your email">
          If an account uses {form.getValues().email}, we have sent it a link to choose a new password. The link works once and expires soon.
        </Alert>
      ) : (
        <>
          <Text size="sm">Enter your email address and we will send you a link to choose a new password.</Text>
          <form onSubmit={submit.onSubmit} noValidate>
            <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} mb="md" autoFocus />
            <FormError error={submit.formError} />
            <Button type="submit" fullWidth loading={submit.busy} mt="sm">
              Send the link
            </Button>
          </form>
        </>
      )}
    </AuthCard>
  );
}

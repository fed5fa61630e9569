import { PasswordInput } from '@mantine/core';

/** Password and its confirmation; `mismatch` is shown on the confirmation. */
export function NewPasswordFields(props: {
  password: string;
  confirm: string;
  onPassword: (v: string) => void;
  onConfirm: (v: string) => void;
  error?: string;
  label?: string;
}) {
  const mismatch = props.confirm.length > 0 && props.confirm !== props.password ? 'The passwords do not match' : undefined;
  return (
    <>
      <PasswordInput
        label={props.label ?? 'New password'}
        description="At least 10 characters; a few words make a good one."
        autoComplete="new-password"
        required
        value={props.password}
        onChange={(e) => props.onPassword(e.currentTarget.value)}
        error={props.error}
        mb="sm"
      />
      <PasswordInput
        label="Repeat the password"
        autoComplete="new-password"
        required
        value={props.confirm}
        onChange={(e) => props.onConfirm(e.currentTarget.value)}
        error={mismatch}
        mb="md"
      />
    </>
  );
}

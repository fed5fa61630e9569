import type { UseFormReturnType } from '@mantine/form';
import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { ApiError } from './api';

/** Every path of a form's values, as @mantine/form names them (`name`, `items`, `items.0.name`). */
export function fieldPaths(values: unknown, prefix = ''): string[] {
  if (values === null || typeof values !== 'object' || values instanceof Date || values instanceof File) return prefix ? [prefix] : [];
  const entries: Array<[string, unknown]> = Array.isArray(values) ? values.map((v, i) => [String(i), v]) : Object.entries(values);
  const nested = entries.flatMap(([k, v]) => fieldPaths(v, prefix ? `${prefix}.${k}` : k));
  return prefix ? [prefix, ...nested] : nested;
}

/**
 * The server's field messages for the given form paths (`body.name` and `name` both land on
 * `name`). Fields the form does not have are left out: those messages belong at form level.
 */
export function serverFieldErrors(error: unknown, paths: readonly string[]): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const p of paths) {
    const message = error.fieldError(p);
    if (message !== undefined) out[p] = message;
  }
  return out;
}

/** The error to show at the top of the form: anything not placed on one of its fields. */
export function formLevelError(error: unknown, paths: readonly string[]): unknown {
  if (!error) return null;
  return Object.keys(serverFieldErrors(error, paths)).length > 0 ? null : error;
}

export type FormSubmit = {
  /** For `<form onSubmit={…}>`: validates, then runs the mutation with the form's values. */
  onSubmit: (event?: FormEvent<HTMLFormElement>) => void;
  busy: boolean;
  /** The last submit succeeded (for a form replaced by its confirmation). */
  done: boolean;
  /** For `<FormError error={…} />`: the last error when it is not about one of the fields. */
  formError: unknown;
};

/**
 * A @mantine/form form submitted through a TanStack mutation: busy while it runs, the server's
 * `{ code, field, message }` errors put on the matching fields (`form.errors`), anything else
 * in `formError`. `onSuccess` is where the form invalidates queries and resets itself.
 *
 *   const form = useForm({ initialValues: { name: '' } });
 *   const submit = useFormSubmit(form, {
 *     mutationFn: (v) => ok(client.POST('/api/signin/sites', { body: v })),
 *     onSuccess: () => { void qc.invalidateQueries({ queryKey: signinKeys.sites }); form.reset(); },
 *   });
 *   <form onSubmit={submit.onSubmit}> <TextInput {...form.getInputProps('name')} /> <FormError error={submit.formError} /> …
 */
export function useFormSubmit<TValues extends Record<string, unknown>, TData = unknown>(
  form: UseFormReturnType<TValues>,
  options: Omit<UseMutationOptions<TData, unknown, TValues>, 'onError'>,
): FormSubmit {
  const mutation = useMutation<TData, unknown, TValues>({
    ...options,
    onError: (error) => {
      const fields = serverFieldErrors(error, fieldPaths(form.getValues()));
      if (Object.keys(fields).length > 0) form.setErrors(fields);
    },
  });
  const paths = fieldPaths(form.getValues());
  return {
    onSubmit: form.onSubmit((values) => {
      mutation.reset();
      mutation.mutate(values);
    }),
    busy: mutation.isPending,
    done: mutation.isSuccess,
    formError: formLevelError(mutation.error, paths),
  };
}

import { Alert, Anchor, Button, Center, CopyButton, Group, Loader, Stack, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, type LinkProps } from 'react-router';
import { ApiError, errorMessage } from '../api';

/** A page heading with optional actions on the right; wraps on narrow screens. */
export function PageHeader({ title, description, children }: { title: string; description?: ReactNode; children?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" mb="md" wrap="wrap" gap="sm">
      <Stack gap={4}>
        <Title order={1} size="h2">
          {title}
        </Title>
        {description ? (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        ) : null}
      </Stack>
      {children ? <Group gap="xs">{children}</Group> : null}
    </Group>
  );
}

/**
 * The error of a form that is not about one of its fields (those show next to the field).
 * `fields` lists the form's field names.
 */
export function FormError({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.concernsAny(fields)) return null;
  return (
    <Alert color="red" role="alert" title="That didn't work">
      {errorMessage(error)}
    </Alert>
  );
}

/** The field's message from an ApiError, for Mantine inputs' `error` prop. */
export function fieldError(error: unknown, name: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(name) : undefined;
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden="true" />
        <Text>{label}</Text>
      </Group>
    </Center>
  );
}

/**
 * What a failed load is: `missing` (a 404, or an id in the address that is no id at all: a link cut
 * short or mistyped), `final` (the server refused the request: asking again gets the same answer),
 * or `retry` (no connection, a server error, a timeout or a rate limit).
 */
export function loadFailure(error: unknown): 'missing' | 'final' | 'retry' {
  if (!(error instanceof ApiError)) return 'retry';
  if (error.status === 404 || (error.status === 400 && error.field?.startsWith('params.'))) return 'missing';
  if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) return 'final';
  return 'retry';
}

/** `startLink`: a "Go to the start page" link under a missing resource (off where the page has its own way on). */
export function ErrorState({ error, onRetry, startLink = true }: { error: unknown; onRetry?: () => void; startLink?: boolean }) {
  const kind = loadFailure(error);
  if (kind === 'missing') {
    const what = error instanceof ApiError && error.status === 404 ? `${error.message}: it` : 'Nothing is at this address: it';
    return (
      <Alert color="yellow" role="alert" title="Not found">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{what} may have been deleted, or the link is incomplete or mistyped.</Text>
          {startLink ? (
            <Anchor component={Link} to="/" size="sm">
              Go to the start page
            </Anchor>
          ) : null}
        </Stack>
      </Alert>
    );
  }
  return (
    <Alert color="red" role="alert" title="Could not load this">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry && kind === 'retry' ? (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}

/**
 * A read-only value with a copy button (invite links, API keys shown once). `wrap` shows a long
 * secret whole on several lines (a token is never scrolled out of sight at phone width).
 */
export function CopyField({ label, value, description, wrap = false }: { label: string; value: string; description?: ReactNode; wrap?: boolean }) {
  const common = {
    label,
    description,
    value,
    readOnly: true,
    style: { flex: 1, minWidth: 0 },
  };
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      {wrap ? (
        <Textarea
          {...common}
          autosize
          minRows={1}
          onFocus={(e) => e.currentTarget.select()}
          styles={{ input: { fontFamily: 'monospace', wordBreak: 'break-all', overflow: 'hidden' } }}
        />
      ) : (
        <TextInput {...common} onFocus={(e) => e.currentTarget.select()} styles={{ input: { fontFamily: 'monospace' } }} />
      )}
      <CopyButton value={value} timeout={2000}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
            <Button variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** An in-app link, styled as the app's links (never the browser's default blue and purple). */
export function AppLink({ size, fw, ...props }: LinkProps & { size?: string; fw?: number }) {
  return <Anchor component={Link} size={size} fw={fw} {...props} />;
}


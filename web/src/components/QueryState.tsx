import { Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState, LoadingState } from './common';

/** True for `[]` and `{ items: [] }`, the two list shapes the API answers. */
export function isEmptyList(data: unknown): boolean {
  if (Array.isArray(data)) return data.length === 0;
  if (data && typeof data === 'object' && 'items' in data && Array.isArray(data.items)) return data.items.length === 0;
  return false;
}

/**
 * The one way a page shows a query: loading, then its error (with "Try again") or its data.
 * `empty` is shown instead of `children` when the list is empty (`[]` or `{ items: [] }`, or
 * when `isEmpty(data)` says so). A failed background refetch keeps the data and shows the error
 * above it.
 *
 *   <QueryState query={keys} empty="No API keys yet.">{(data) => <KeysTable items={data.items} />}</QueryState>
 */
export function QueryState<T>({
  query,
  empty,
  isEmpty = isEmptyList,
  loadingLabel,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  const retry = () => void query.refetch();
  if (query.data === undefined) {
    if (query.isError) return <ErrorState error={query.error} onRetry={retry} />;
    return <LoadingState label={loadingLabel} />;
  }
  const data = query.data;
  return (
    <>
      {query.isError ? <ErrorState error={query.error} onRetry={retry} /> : null}
      {empty !== undefined && isEmpty(data) ? (
        typeof empty === 'string' ? (
          <Text c="dimmed">{empty}</Text>
        ) : (
          empty
        )
      ) : (
        children(data)
      )}
    </>
  );
}

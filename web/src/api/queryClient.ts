import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './index';

/** A 4xx will answer the same again: only network errors and 5xx are retried (twice). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/**
 * The web app's query cache. Data is fresh for 30 s (a page mounted twice, or three components
 * reading one list, fetch once); a window regaining focus refetches stale data, which suits an
 * admin portal left open all day. Mutations are never retried.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

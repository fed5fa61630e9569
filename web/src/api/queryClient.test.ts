import { describe, expect, it } from 'vitest';
import { ApiError } from './index';
import { createQueryClient, shouldRetry } from './queryClient';

describe('the query client', () => {
  it('does not retry a 4xx (the answer will not change) but retries network errors and 5xx twice', () => {
    expect(shouldRetry(0, new ApiError(404, 'not_found', 'Not found'))).toBe(false);
    expect(shouldRetry(0, new ApiError(422, 'invalid', 'Invalid'))).toBe(false);
    expect(shouldRetry(0, new ApiError(0, 'network_error', 'offline'))).toBe(true);
    expect(shouldRetry(1, new ApiError(503, 'unavailable', 'busy'))).toBe(true);
    expect(shouldRetry(2, new ApiError(503, 'unavailable', 'busy'))).toBe(false);
  });

  it('uses that rule, keeps data fresh for 30 s and never retries mutations', () => {
    const d = createQueryClient().getDefaultOptions();
    expect(d.queries?.retry).toBe(shouldRetry);
    expect(d.queries?.staleTime).toBe(30_000);
    expect(d.mutations?.retry).toBe(false);
  });
});

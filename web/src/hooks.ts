import { useCallback, useEffect, useState } from 'react';
import { api } from './api';

export type Loaded<T> = { data: T | undefined; error: unknown; loading: boolean; reload: () => void };

/** GETs `path` (again whenever it changes or `reload()` is called). `null` skips the call. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api
      .get<T>(path)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

export type Action = { busy: boolean; error: unknown; run: (fn: () => Promise<void>) => Promise<void> };

/**
 * The state of a form's submit: `run(fn)` marks it busy, clears the last error, and keeps the
 * error `fn` throws for the form to show (fieldError / FormError).
 */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  isLoading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data with what a change answered, without another round trip. */
  set: (data: T) => void;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ status: 0, code: 'internal', detail: String(error) }, undefined);
}

/** Loads once per `key` (and on reload); late answers for an older key are dropped. */
export function useResource<T>(key: string | null, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError; isLoading: boolean }>({
    key,
    isLoading: key !== null,
  });
  const loader = useRef(load);
  loader.current = load;
  const generation = useRef(0);

  const run = useCallback(async (): Promise<void> => {
    if (key === null) return;
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, key, isLoading: true }));
    try {
      const data = await loader.current();
      if (mine === generation.current) setState({ key, data, isLoading: false });
    } catch (error) {
      if (mine === generation.current)
        setState((previous) => ({
          key,
          ...(previous.key === key && previous.data !== undefined ? { data: previous.data } : {}),
          error: asApiError(error),
          isLoading: false,
        }));
    }
  }, [key]);

  useEffect(() => {
    void run();
  }, [run]);

  const set = useCallback((data: T) => setState({ key, data, isLoading: false }), [key]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    isLoading: current ? state.isLoading : true,
    reload: run,
    set,
  };
}

/** The current time, ticking every `intervalMs` (countdowns and "5 min ago"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

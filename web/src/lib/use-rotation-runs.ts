import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, request } from '../api/client';
import type { RotationRunView } from '../api/types';

export const RUNS_PAGE_SIZE = 20;

/**
 * The scheduler's runs for a client, newest first, a server-side page at a time. `refreshKey`
 * changes when the client does (a new secret, a policy set or removed): the first page is read again.
 */
export function useRotationRuns(
  clientId: string,
  refreshKey: string,
): {
  items: RotationRunView[] | undefined;
  error: ApiError | undefined;
  hasMore: boolean;
  isLoading: boolean;
  loadMore: () => void;
} {
  const [items, setItems] = useState<RotationRunView[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [isLoading, setLoading] = useState(true);
  const generation = useRef(0);

  const load = useCallback(
    async (after: string | undefined): Promise<void> => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await request('get', '/v1/clients/{id}/rotations', {
          path: { id: clientId },
          query: { limit: String(RUNS_PAGE_SIZE), ...(after ? { cursor: after } : {}) },
        });
        if (mine !== generation.current) return;
        setItems((previous) => (after ? [...(previous ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (caught) {
        if (mine === generation.current)
          setError(caught instanceof ApiError ? caught : new ApiError({ status: 0, detail: String(caught) }, undefined));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [clientId],
  );

  useEffect(() => {
    void load(undefined);
  }, [load, refreshKey]);

  return { items, error, hasMore: cursor !== undefined, isLoading, loadMore: () => void load(cursor) };
}

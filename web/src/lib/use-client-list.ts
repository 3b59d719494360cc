import { useCallback, useEffect, useState } from 'react';
import { ApiError, request } from '../api/client';
import type { ClientView, Profile } from '../api/types';

export const PAGE_SIZE = 50;

/** One profile's clients, a server-side page at a time (SPEC §7: lists paginate server-side). */
export function useClientList(profile: Profile): {
  items: ClientView[] | undefined;
  error: ApiError | undefined;
  hasMore: boolean;
  isLoading: boolean;
  loadMore: () => void;
  reload: () => void;
} {
  const [items, setItems] = useState<ClientView[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [isLoading, setLoading] = useState(true);

  const load = useCallback(
    async (after: string | undefined): Promise<void> => {
      setLoading(true);
      try {
        const page = await request('get', '/v1/clients', {
          query: { profile, limit: String(PAGE_SIZE), ...(after ? { cursor: after } : {}) },
        });
        setItems((previous) => (after ? [...(previous ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError({ status: 0, detail: String(caught) }, undefined));
      } finally {
        setLoading(false);
      }
    },
    [profile],
  );

  useEffect(() => {
    void load(undefined);
  }, [load]);

  return { items, error, hasMore: cursor !== undefined, isLoading, loadMore: () => void load(cursor), reload: () => void load(undefined) };
}

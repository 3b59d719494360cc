import { useCallback, useState } from 'react';

/** A change a form or button makes: busy while it runs, its error kept for display. */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): { run: (...args: A) => Promise<boolean>; isBusy: boolean; error: unknown; clear: () => void } {
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (...args: A): Promise<boolean> => {
      setBusy(true);
      setError(undefined);
      try {
        await action(...args);
        return true;
      } catch (caught) {
        setError(caught);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, isBusy, error, clear: useCallback(() => setError(undefined), []) };
}

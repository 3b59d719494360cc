import type { ReactNode } from 'react';

export function ListFooter({
  hasMore,
  isLoading,
  onMore,
  count,
  noun,
}: {
  hasMore: boolean;
  isLoading: boolean;
  onMore: () => void;
  count: number;
  noun: string;
}): ReactNode {
  return (
    <div className="list-footer">
      <span className="muted">
        {count} {noun}
        {hasMore ? ' shown' : ''}
      </span>
      {hasMore && (
        <button type="button" className="button button-small" onClick={onMore} disabled={isLoading}>
          Load more
        </button>
      )}
    </div>
  );
}

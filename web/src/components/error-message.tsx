import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { formatDuration, formatTime } from '../lib/format';

/** What went wrong, in words: the problem's detail, its field errors, and for 429 when to try again. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 403) return `You don't have the permission for this. ${error.problem.detail ?? ''}`.trim();
  if (error.status === 503) return 'Rekey cannot reach its database right now. Try again in a moment.';
  return error.problem.detail ?? error.problem.title ?? error.message;
}

function RetryAfter({ seconds }: { seconds: number }): ReactNode {
  const [until] = useState(() => Date.now() + seconds * 1000);
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    const timer = setInterval(() => setLeft(Math.max(0, Math.round((until - Date.now()) / 1000))), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return left > 0 ? (
    <p>
      Try again in <strong>{formatDuration(left)}</strong> (at {formatTime(until)}).
    </p>
  ) : (
    <p>You can try again now.</p>
  );
}

export function ErrorMessage({ error, title }: { error: unknown; title?: string }): ReactNode {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const isThrottled = error instanceof ApiError && error.status === 429;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title ?? (isThrottled ? 'Too many attempts' : 'That did not work')}</p>
      <p>
        {isThrottled
          ? error.retryAfter !== undefined
            ? 'Rekey pauses attempts after repeated failures, to stop guessing.'
            : (problem?.detail ?? 'Rekey is limiting attempts for now.')
          : describeError(error)}
      </p>
      {problem?.errors && problem.errors.length > 1 && (
        <ul>
          {problem.errors.map((item) => (
            <li key={`${item.pointer}${item.message}`}>{item.message}</li>
          ))}
        </ul>
      )}
      {isThrottled && error.retryAfter !== undefined && <RetryAfter seconds={error.retryAfter} />}
    </div>
  );
}

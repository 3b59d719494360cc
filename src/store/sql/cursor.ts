import { invalid } from '../../core/kernel/index.js';

/** Opaque page cursors: the sort key of the last item of a page, base64url-encoded JSON. */
export function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && typeof parts[0] === 'number' && typeof parts[1] === 'string') return [parts[0], parts[1]];
  } catch {
    // fall through: a cursor Rekey did not write is bad input (SPEC §5), not the first page
  }
  throw invalid('/cursor', 'This cursor was not issued by Rekey; pass nextCursor from a previous page.');
}

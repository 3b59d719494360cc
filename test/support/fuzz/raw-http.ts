import { connect } from 'node:net';

/**
 * One HTTP/1.1 request written byte for byte on its own connection, so the fuzz can send what
 * fetch refuses to: NUL and raw non-ASCII bytes in the target and headers, duplicated and
 * oversized headers, bodies that are not the declared type.
 */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent (latin1: one byte per char), e.g. `/v1/clients/%00?x=1`. */
  target: string;
  /** In order, duplicates kept. Values are latin1 strings (one byte per char). */
  headers: Array<[name: string, value: string]>;
  body?: Buffer;
}

export interface RawResponse {
  /** null when no status line came back (connection reset, timeout). */
  status: number | null;
  contentType?: string;
  /** The start of the response body, for reporting. */
  body: string;
  error?: string;
}

export function sendRaw(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: 127.0.0.1:${port}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const hasLength = request.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  if (request.body !== undefined && !hasLength) lines.push(`content-length: ${request.body.length}`);
  lines.push('connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const bodyStart = text.indexOf('\r\n\r\n');
      const head = bodyStart === -1 ? text : text.slice(0, bodyStart);
      const contentType = /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1];
      resolve({
        status: match ? Number(match[1]) : null,
        ...(contentType === undefined ? {} : { contentType }),
        body: bodyStart === -1 ? '' : text.slice(bodyStart + 4, bodyStart + 4 + 600),
        ...(match ? {} : { error: error ?? 'no status line' }),
      });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server may answer and close before the whole request is written (431, 413): keep what came.
    socket.on('error', (error) => finish(error.message));
    socket.write(request.body ? Buffer.concat([head, request.body]) : head);
  });
}

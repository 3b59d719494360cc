import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import { RekeyError } from '../core/kernel/index.js';
import { toProblem } from './errors.js';

/** Statuses Node's parser errors answer with, as Fastify's default handler does. */
const STATUS_BY_CODE: Record<string, number> = { ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_HEADER_OVERFLOW: 431 };
const REASON: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

let counter = 0;

/**
 * Answers a request that is malformed at the HTTP level. Fastify's default handler logs the error
 * whole, raw bytes (and so the Authorization header) included; this one logs the parser's code
 * only, and answers with a problem document like every other error (SPEC §6).
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = STATUS_BY_CODE[error.code ?? ''] ?? 400;
  this.log.debug({ clientError: error.code ?? 'unknown', status }, 'client error');
  if (socket.writable) {
    const problem = toProblem(new RekeyError('invalid_request', 'The request is not well-formed HTTP/1.1.'), {
      instance: '/',
      requestId: `req_client_${(counter++).toString(36)}`,
      status,
    });
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${status} ${REASON[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/problem+json\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

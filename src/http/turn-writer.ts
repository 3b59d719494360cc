import type { ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Queues a 200 JSON answer; it is written at the end of the current event-loop turn. */
export type TurnWriter = (res: ServerResponse, body: string) => void;

/**
 * Writes the answers of one event-loop turn together, after the turn's requests are all read and
 * judged (`setImmediate` runs right after the I/O phase).
 *
 * Why: writing each answer the moment it is ready interleaves a socket write (a system call that,
 * on loopback, also delivers the bytes to the client) with the next request's work. Under load,
 * answering the turn's requests back to back costs markedly less CPU per request, in the kernel
 * and in our own code (bench/README-scenarios.md). Under light load a turn holds one request, and
 * its answer waits only for the rest of that turn.
 *
 * A connection that closed meanwhile is skipped; writing to it would do nothing anyway.
 */
export function createTurnWriter(schedule: (run: () => void) => void = setImmediate): TurnWriter {
  let responses: ServerResponse[] = [];
  let bodies: string[] = [];
  const flush = (): void => {
    const outgoing = responses;
    const payloads = bodies;
    responses = [];
    bodies = [];
    for (let index = 0; index < outgoing.length; index++) {
      const res = outgoing[index]!;
      if (res.destroyed) continue;
      const body = payloads[index]!;
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
  };
  return (res, body) => {
    bodies.push(body);
    if (responses.push(res) === 1) schedule(flush);
  };
}

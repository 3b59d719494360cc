import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTurnWriter } from './turn-writer.js';

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('turn writer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A real server whose answers go through a writer flushed by hand, once `expected` requests arrived. */
  async function serve(expected: number, onAll: (responses: Map<string, ServerResponse>, flush: () => void) => void): Promise<number> {
    let runs: Array<() => void> = [];
    const write = createTurnWriter((run) => runs.push(run));
    const responses = new Map<string, ServerResponse>();
    server = createServer((req, res) => {
      const id = req.url!.slice(1);
      responses.set(id, res);
      write(res, JSON.stringify({ id }));
      if (responses.size === expected) {
        onAll(responses, () => {
          expect(runs).toHaveLength(1);
          const pending = runs;
          runs = [];
          for (const run of pending) run();
        });
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('writes nothing until the turn ends, then every answer to its own request, with JSON headers', async () => {
    let flushed = false;
    const port = await serve(25, (_responses, flush) =>
      setTimeout(() => {
        flushed = true;
        flush();
      }, 50),
    );
    const answers = await Promise.all(Array.from({ length: 25 }, (_, index) => get(port, `/r${index}`)));
    expect(flushed).toBe(true);
    for (const [index, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ id: `r${index}` });
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
    }
  });

  it('skips a connection that closed before the turn ended and answers the others', async () => {
    const port = await serve(3, (responses, flush) => {
      responses.get('gone')!.destroy();
      setTimeout(flush, 20);
    });
    const [first, gone, last] = await Promise.allSettled([get(port, '/a'), get(port, '/gone'), get(port, '/b')]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { status: 200, body: '{"id":"a"}' } });
    expect(gone.status).toBe('rejected');
    expect(last).toMatchObject({ status: 'fulfilled', value: { status: 200, body: '{"id":"b"}' } });
  });

  it('starts a new turn after a flush, with the default scheduler', async () => {
    const write = createTurnWriter();
    server = createServer((_req, res) => write(res, '{"ok":true}'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect((await get(port, '/1')).body).toBe('{"ok":true}');
    expect((await get(port, '/2')).body).toBe('{"ok":true}');
  });
});

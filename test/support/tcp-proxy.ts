import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'open' | 'reset' | 'blackhole';

/**
 * A loopback TCP proxy between one node and PostgreSQL, so the test can take the database away
 * from that node alone. `reset` closes every connection and refuses new ones (a crashed server or
 * a firewall RST); `blackhole` stops moving bytes without closing anything (a partition).
 */
export interface Proxy {
  port: number;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  let mode: ProxyMode = 'open';
  const pairs = new Set<{ down: Socket; up: Socket | null }>();
  const join = (pair: { down: Socket; up: Socket | null }): void => {
    if (!pair.up) {
      pair.up = connect(targetPort, targetHost);
      pair.up.on('error', () => pair.down.destroy());
      pair.up.on('close', () => pair.down.destroy());
    }
    pair.down.pipe(pair.up);
    pair.up.pipe(pair.down);
  };
  const server: Server = createServer((down) => {
    const pair = { down, up: null as Socket | null };
    down.on('error', () => pair.up?.destroy());
    down.on('close', () => {
      pair.up?.destroy();
      pairs.delete(pair);
    });
    if (mode === 'reset') {
      down.destroy();
      return;
    }
    pairs.add(pair);
    if (mode === 'open') join(pair);
    else down.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
  return {
    port: address.port,
    set(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'reset') {
          pair.down.destroy();
          pair.up?.destroy();
        } else if (next === 'blackhole') {
          pair.down.unpipe();
          pair.up?.unpipe();
          pair.down.pause();
          pair.up?.pause();
        } else {
          join(pair);
        }
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.down.destroy();
        pair.up?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

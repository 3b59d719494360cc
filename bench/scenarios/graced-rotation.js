// Graced rotation under load (SPEC §3): at least BENCH_GRACED_REQUESTS (default 100 000) Basic
// whoami requests from 32 keep-alive connections of this process, while the client is regenerated
// through the control API with a grace (BENCH_GRACE_SECONDS, default 5) every second and the holder
// switches to the new secret as soon as the regenerate answers. Every refused or failed request is
// counted: there must be none. The load lasts at least BENCH_GRACED_MIN_SECONDS (default 15, so
// at least ~14 rotations) and at most BENCH_GRACED_MAX_SECONDS (default 120).
import { Agent, request } from 'node:http';

const TOTAL = Number(process.env.BENCH_GRACED_REQUESTS ?? 100_000);
const GRACE_SECONDS = Number(process.env.BENCH_GRACE_SECONDS ?? 5);
const MIN_SECONDS = Number(process.env.BENCH_GRACED_MIN_SECONDS ?? 15);
const MAX_SECONDS = Number(process.env.BENCH_GRACED_MAX_SECONDS ?? 120);
const CONNECTIONS = 32;

const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function whoami(url, agent, authorization) {
  return new Promise((resolve) => {
    const req = request(`${url}/v1/whoami`, { agent, headers: { authorization } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    req.on('error', (error) => resolve(error.code ?? 'error'));
    req.end();
  });
}

export default {
  name: 'graced rotation under load (Basic)',
  async measure(ctx) {
    const client = await ctx.request('POST', '/v1/clients', { profile: 'apikey', name: 'bench graced rotation' });
    let authorization = basic(client.id, client.secret);
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const failures = new Map();
    let sent = 0;
    let answered = 0;
    let regenerations = 0;
    let rotationErrors = 0;
    const started = performance.now();
    const deadline = started + MAX_SECONDS * 1000;
    const minimum = started + MIN_SECONDS * 1000;
    let running = true;
    const rotator = (async () => {
      while (running) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (!running) break;
        try {
          const regenerated = await ctx.request('POST', `/v1/clients/${client.id}/regenerate`, { graceSeconds: GRACE_SECONDS });
          authorization = basic(client.id, regenerated.secret);
          regenerations++;
        } catch (error) {
          rotationErrors++;
          process.stderr.write(`bench:   regenerate failed: ${error.message}\n`);
        }
      }
    })();
    const worker = async () => {
      for (;;) {
        const now = performance.now();
        if (now >= deadline || (sent >= TOTAL && now >= minimum)) break;
        sent++;
        const status = await whoami(ctx.url, agent, authorization);
        answered++;
        if (status !== 200) failures.set(status, (failures.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    running = false;
    await rotator;
    agent.destroy();
    const seconds = (performance.now() - started) / 1000;
    const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
    if (failed > 0 || rotationErrors > 0) {
      const detail = [...failures].map(([status, count]) => `${count} × ${status}`).join(', ');
      process.stderr.write(
        `\nbench: !!! GRACED ROTATION: ${failed} FAILED REQUESTS (${detail}), ${rotationErrors} failed regenerates !!!\n\n`,
      );
    }
    return [
      {
        name: `graced rotation: ${answered} requests, ${regenerations} regenerates (grace ${GRACE_SECONDS} s, every 1 s)`,
        value:
          failed === 0
            ? '0 failed'
            : `!!! ${failed} FAILED (${[...failures].map(([status, count]) => `${count} × ${status}`).join(', ')}) !!!`,
        unit: `in ${seconds.toFixed(1)} s (${(answered / seconds).toFixed(0)} req/s)${rotationErrors > 0 ? `, ${rotationErrors} regenerates failed` : ''}`,
      },
    ];
  },
};

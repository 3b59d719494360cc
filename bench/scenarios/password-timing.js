import { randomBytes } from 'node:crypto';

// Sign-in (SPEC §11) must cost the same for an unknown email as for a wrong password: both run one
// argon2id verification. Measured over HTTP with the server's real hashing parameters, interleaved,
// staying under the sign-in throttles (five members, four wrong attempts each).
const ROUNDS = 20;
const MEMBERS = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export default {
  name: 'sign-in timing',
  async measure(ctx) {
    const tag = randomBytes(4).toString('hex');
    for (let i = 0; i < MEMBERS; i++) {
      await ctx.request('POST', '/v1/members', { email: `timing${i}-${tag}@bench.test`, roles: [], password: `bench password ${i}` });
    }
    const attempt = async (email) => {
      const started = performance.now();
      const response = await fetch(`${ctx.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: ctx.accountId, email, password: 'not the password' }),
      });
      await response.arrayBuffer();
      if (response.status !== 401) throw new Error(`sign-in answered ${response.status}, expected 401`);
      return performance.now() - started;
    };
    const unknown = [];
    const wrong = [];
    await attempt(`warm-${tag}@bench.test`);
    for (let i = 0; i < ROUNDS - 1; i++) {
      unknown.push(await attempt(`ghost${i}-${tag}@bench.test`));
      wrong.push(await attempt(`timing${i % MEMBERS}-${tag}@bench.test`));
    }
    const u = median(unknown);
    const w = median(wrong);
    return [
      { name: 'sign-in, unknown email (median)', value: u.toFixed(1), unit: 'ms' },
      { name: 'sign-in, wrong password (median)', value: w.toFixed(1), unit: 'ms' },
      { name: 'sign-in, unknown ÷ wrong', value: (u / w).toFixed(2), unit: '×' },
    ];
  },
};

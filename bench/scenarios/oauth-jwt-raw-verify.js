import { spawnSync } from 'node:child_process';

// The yardstick of the Bearer goal (issue 18): one synchronous ES256 `crypto.verify` with a cached
// KeyObject, on the servers' core, over a signing input the size of an access token's. CPU time per
// verification, median of five batches of 4 000 after 2 000 unmeasured, measured in a process of
// its own so nothing else shares it. The Bearer rows' CPU µs/req, less the bare row's, compare to it.
const PROGRAM = `
const { generateKeyPairSync, sign, verify } = require('node:crypto');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const input = Buffer.from('eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImtpZF8xIn0.' + 'x'.repeat(420), 'latin1');
const signature = sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
const key = { key: publicKey, dsaEncoding: 'ieee-p1363' };
const batch = (count) => {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) if (!verify('sha256', input, key, signature)) throw new Error('did not verify');
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
};
batch(2000);
const batches = Array.from({ length: 5 }, () => batch(4000)).sort((a, b) => a - b);
process.stdout.write(String(batches[2]));
`;

export default {
  name: 'raw ES256 verify (crypto.verify, one core)',
  async measure(ctx) {
    const pinned = spawnSync('which', ['taskset']).status === 0;
    const [command, args] = pinned
      ? ['taskset', ['-c', ctx.cpus[0], process.execPath, '-e', PROGRAM]]
      : [process.execPath, ['-e', PROGRAM]];
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
    const micros = Number(result.stdout);
    if (result.status !== 0 || !Number.isFinite(micros)) throw new Error(`the verify loop failed: ${result.stderr}`);
    return [{ name: 'raw ES256 crypto.verify, CPU per verification (median of 5 × 4 000)', value: micros.toFixed(1), unit: 'µs' }];
  },
};

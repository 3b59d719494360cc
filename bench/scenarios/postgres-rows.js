// The signed and JWT whoami rows again, against a Rekey node on PostgreSQL (bench/lib/postgres.js):
// the same requests, the same interleaved rounds next to the bare baseline. Skipped with a note
// when PostgreSQL is unreachable.
import { sharedPostgresRekey } from '../lib/postgres.js';
import signature from './20-signature-whoami.js';
import oauth1 from './oauth1-whoami.js';
import jwtDistinct from './oauth-jwt-whoami-verify.js';
import jwtSame from './oauth-jwt-whoami.js';

const onPostgres = (scenario) => ({
  name: `${scenario.name} [PostgreSQL]`,
  async startServer(ctx) {
    const deployment = await sharedPostgresRekey(ctx);
    const [node] = deployment.nodes;
    return {
      url: node.url,
      pid: node.pid,
      ctx: { adminToken: deployment.adminToken, accountId: deployment.accountId, request: deployment.request },
      // Shared by the PostgreSQL rows; stopped at the end of the run.
      stop: async () => undefined,
    };
  },
  prepare: (ctx) => scenario.prepare(ctx),
});

export default [signature, oauth1, jwtDistinct, jwtSame].map(onPostgres);

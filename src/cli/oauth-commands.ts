import { isSigningAlgorithm, listSigningKeys, SIGNING_ALGORITHMS, type SigningKey } from '../core/oauth/index.js';
import type { Runtime } from '../main.js';
import { rotateSigningKeys } from '../jose/index.js';
import { parseOptions } from './parse-options.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';

const USAGE = `Usage: rekey signing-keys rotate [--alg ${SIGNING_ALGORITHMS.join('|')}] | rekey signing-keys list`;

const ISO = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** Public facts about a key; the private half never leaves the database's ciphertext. */
function viewKey(key: SigningKey): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    createdAt: ISO(key.createdAt),
    activatedAt: ISO(key.activatedAt),
    retiredAt: ISO(key.retiredAt),
  };
}

/**
 * `rekey signing-keys …`: operator commands on the deployment's access-token signing keys. Like
 * `master-key rotate`, they need the database and the master key rather than an admin token: the
 * keys belong to the whole deployment, not to one account. Running servers switch to the new key
 * within ten seconds; tokens signed before keep verifying until they expire.
 */
export async function signingKeyCommands(args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const { values, positionals } = parseOptions(args, { alg: { type: 'string' } });
  const core = runtime.core;
  switch (positionals[0]) {
    case 'rotate': {
      if (positionals.length !== 1) throw new UsageError(USAGE);
      const alg = values.alg as string | undefined;
      if (alg !== undefined && !isSigningAlgorithm(alg)) throw new UsageError(`--alg is one of ${SIGNING_ALGORITHMS.join(', ')}.`);
      const result = await rotateSigningKeys(core, alg !== undefined ? { alg } : {});
      const view = { active: viewKey(result.active), retired: result.retired.map(viewKey) };
      if (json) print(out, view, true);
      else {
        out.stdout.write(`Signing key ${result.active.kid} (${result.active.alg}) is now active.\n`);
        for (const key of result.retired)
          out.stdout.write(`Retired ${key.kid}: it stays in the JWKS until the last token it signed expires.\n`);
      }
      return EXIT.ok;
    }
    case 'list': {
      if (positionals.length !== 1) throw new UsageError(USAGE);
      const items = (await listSigningKeys(core)).map(viewKey);
      if (json) print(out, { items }, true);
      else
        out.stdout.write(
          items.length
            ? `${items.map((key) => `${String(key.kid)}  ${String(key.alg).padEnd(5)} ${String(key.state).padEnd(7)} ${String(key.activatedAt ?? '')}`).join('\n')}\n`
            : '(no signing keys yet: they are created on first use)\n',
        );
      return EXIT.ok;
    }
    default:
      throw new UsageError(USAGE);
  }
}

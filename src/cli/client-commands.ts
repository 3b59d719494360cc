import {
  PROFILES,
  isProfile,
  type Profile,
  createClient,
  deleteClient,
  getClient,
  listClients,
  regenerateSecret,
  revokeSecretVersion,
} from '../core/credentials/index.js';
import { listAuditEvents, verifyAuditChain } from '../core/audit/index.js';
import { listOutbox } from '../core/notify/index.js';
import { listStaleUsage, unlockKeyAccount } from '../core/auth/index.js';
import type { Runtime } from '../main.js';
import { callerFromToken } from './caller-from-token.js';
import { parseOptions } from './parse-options.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';
import { confirm } from './confirm.js';
import { PROFILE_FIELD_OPTIONS, profileFieldsFromFlags, profileUsage } from './profile-options.js';

const integer = (value: unknown, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer.`);
  return Number(value);
};

/** `rekey clients …`, `rekey audit …`, `rekey outbox …`: the same core commands the API runs. */
export async function clientCommands(group: string, args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    token: { type: 'string' },
    profile: { type: 'string' },
    name: { type: 'string' },
    'grace-seconds': { type: 'string' },
    'idempotency-key': { type: 'string' },
    'revoke-issued-tokens': { type: 'boolean' },
    'expires-in-seconds': { type: 'string' },
    ...PROFILE_FIELD_OPTIONS,
    type: { type: 'string' },
    client: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
  });
  const [action, ...ids] = positionals;
  const caller = await callerFromToken(runtime, values.token as string | undefined);
  const core = runtime.core;

  if (group === 'audit' && action === 'verify') {
    const verification = await verifyAuditChain(core, caller);
    if (json) print(out, verification, true);
    else if (verification.valid)
      out.stdout.write(`The audit chain is intact: ${verification.events} events (${verification.pending} not chained yet).\n`);
    else
      out.stdout.write(
        verification.firstBrokenEventId
          ? `The audit chain is broken at event ${verification.firstBrokenEventId} (${verification.reason}); the ${verification.events} events before it are intact.\n`
          : `The audit chain is broken: events at its end are missing (its head names more than the ${verification.events} events found).\n`,
      );
    return verification.valid ? EXIT.ok : EXIT.auditBroken;
  }
  if (group === 'audit') {
    if (action !== 'list')
      throw new UsageError('Usage: rekey audit list [--type T] [--client ID] [--limit N] | rekey audit verify [--json]');
    const page = await listAuditEvents(core, caller, {
      ...(values.type ? { type: values.type as string } : {}),
      ...(values.client ? { clientId: values.client as string } : {}),
      limit: integer(values.limit, 'limit') ?? 50,
    });
    const items = page.items.map((event) => ({
      id: event.id,
      at: new Date(event.at).toISOString(),
      type: event.type,
      actor: `${event.actor.type}:${event.actor.id}`,
      clientId: event.clientId ?? undefined,
      versionId: event.versionId ?? undefined,
      code: event.code ?? undefined,
      count: event.count,
    }));
    print(out, json ? { items } : items, json);
    return EXIT.ok;
  }
  if (group === 'outbox') {
    if (action !== 'list') throw new UsageError('Usage: rekey outbox list [--status pending|sent|failed]');
    const status = values.status as string | undefined;
    if (status && !['pending', 'sent', 'failed'].includes(status)) throw new UsageError('--status is pending, sent or failed.');
    const messages = await listOutbox(core, caller, {
      ...(status ? { status: status as 'pending' } : {}),
      limit: integer(values.limit, 'limit') ?? 50,
    });
    const items = messages.map((message) => ({
      id: message.id,
      type: message.type,
      channel: message.channel,
      recipient: message.recipient,
      status: message.status,
      attempts: message.attempts,
      createdAt: new Date(message.createdAt).toISOString(),
    }));
    print(out, json ? { items } : items, json);
    return EXIT.ok;
  }

  switch (action) {
    case 'list': {
      const profile = values.profile as string | undefined;
      if (profile && !(PROFILES as readonly string[]).includes(profile))
        throw new UsageError(`--profile is one of ${PROFILES.join(', ')}.`);
      const { items } = await listClients(core, caller, {
        ...(profile ? { profile: profile as Profile } : {}),
        limit: integer(values.limit, 'limit') ?? 200,
      });
      if (json) print(out, { items }, true);
      else if (!items.length) out.stdout.write('(no clients)\n');
      else {
        // Locked applies to API keys (the lockout policy); other profiles show a dash.
        const rows = [['ID', 'PROFILE', 'STATE', 'LOCKED', 'NAME']].concat(
          items.map((client) => [
            client.id,
            client.profile,
            client.state,
            client.locked === undefined ? '-' : client.locked ? 'yes' : 'no',
            client.name,
          ]),
        );
        const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
        out.stdout.write(
          `${rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n')}\n`,
        );
      }
      return EXIT.ok;
    }
    case 'get': {
      if (ids.length !== 1) throw new UsageError('Usage: rekey clients get <id>');
      print(out, await getClient(core, caller, ids[0]!), json);
      return EXIT.ok;
    }
    case 'create': {
      const profile = values.profile as string | undefined;
      const name = values.name as string | undefined;
      if (!profile || !isProfile(profile) || !name)
        throw new UsageError(
          `Usage: rekey clients create --profile ${PROFILES.join('|')} --name NAME [profile options]\n${profileUsage()}`,
        );
      const fields = profileFieldsFromFlags(profile, values);
      const expiresInSeconds = integer(values['expires-in-seconds'], 'expires-in-seconds');
      if (expiresInSeconds !== undefined && (expiresInSeconds < 60 || expiresInSeconds > 10 * 365 * 86_400))
        throw new UsageError('--expires-in-seconds is between 60 and 315360000.');
      const created = await createClient(core, caller, { profile, name, fields, ...(expiresInSeconds ? { expiresInSeconds } : {}) });
      print(out, created, json);
      if (!json) out.stderr.write('The secret above is shown once. Store it now.\n');
      return EXIT.ok;
    }
    case 'regenerate': {
      if (ids.length !== 1)
        throw new UsageError('Usage: rekey clients regenerate <id> [--grace-seconds N] [--idempotency-key K] [--revoke-issued-tokens]');
      const key = values['idempotency-key'] as string | undefined;
      const graceSeconds = integer(values['grace-seconds'], 'grace-seconds') ?? 0;
      await confirm(
        `Regenerate the secret of client ${ids[0]} (${graceSeconds ? `the current one keeps working for ${graceSeconds} s` : 'the current one stops working now'})`,
        values.yes,
      );
      const result = await regenerateSecret(
        core,
        caller,
        ids[0]!,
        {
          graceSeconds,
          ...(values['revoke-issued-tokens'] ? { revokeIssuedTokens: true } : {}),
          ...(key ? { idempotencyKey: key } : {}),
        },
        { via: 'control' },
      );
      print(out, result, json);
      return EXIT.ok;
    }
    case 'revoke': {
      if (ids.length !== 2) throw new UsageError('Usage: rekey clients revoke <id> <versionId>');
      await confirm(`Revoke secret version ${ids[1]} of client ${ids[0]}`, values.yes);
      print(out, await revokeSecretVersion(core, caller, ids[0]!, ids[1]!), json);
      return EXIT.ok;
    }
    case 'unlock': {
      if (ids.length !== 1) throw new UsageError('Usage: rekey clients unlock <id>');
      print(out, await unlockKeyAccount(core, caller, ids[0]!), json);
      return EXIT.ok;
    }
    case 'stale-usage': {
      if (ids.length !== 1) throw new UsageError('Usage: rekey clients stale-usage <id>');
      print(out, await listStaleUsage(core, caller, ids[0]!), json);
      return EXIT.ok;
    }
    case 'delete': {
      if (ids.length !== 1) throw new UsageError('Usage: rekey clients delete <id>');
      await confirm(`Delete client ${ids[0]} and every secret version of it`, values.yes);
      await deleteClient(core, caller, ids[0]!);
      print(out, json ? { deleted: ids[0] } : `Deleted ${ids[0]}.`, json);
      return EXIT.ok;
    }
    default:
      throw new UsageError('Usage: rekey clients list|get|create|regenerate|revoke|unlock|stale-usage|rotation-policy|rotations|delete …');
  }
}

import { readFileSync } from 'node:fs';
import {
  createApp,
  deleteApp,
  deleteAppSecret,
  deployApp,
  getApp,
  listApps,
  putAppSecret,
  rotateAppToken,
  updateApp,
  rotateWithApps,
} from '../core/apps/index.js';
import type { Runtime } from '../main.js';
import { callerFromToken } from './caller-from-token.js';
import { parseOptions } from './parse-options.js';
import { confirm } from './confirm.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';

const USAGE = `Usage: rekey apps <action> …
  list [--key-account ID]
  get <appId>
  create --name NAME [--api-key-id ID]
  update <appId> [--name NAME] [--api-key-id ID|none]
  delete <appId>
  deploy <appId> | undeploy <appId>
  set-secret <appId> <slot> --key-account ID --value-file F   (the file holds the key account's secret)
  delete-secret <appId> <slot>
  token <appId>                      issue a new app token (shown once)
  rotate <keyAccountId> [--grace-seconds N] [--idempotency-key K]
                                     guided rotation: undeploy → regenerate → write slots → deploy`;

function readValue(path: string | undefined): string {
  if (!path) throw new UsageError('set-secret needs --value-file F (a file holding the secret; keeps it out of shell history).');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new UsageError(`Cannot read --value-file ${path}.`);
  }
}

/** `rekey apps …`: the same core commands the API runs. */
export async function appsCommands(args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    token: { type: 'string' },
    name: { type: 'string' },
    'api-key-id': { type: 'string' },
    'key-account': { type: 'string' },
    'value-file': { type: 'string' },
    'grace-seconds': { type: 'string' },
    'idempotency-key': { type: 'string' },
  });
  const [action, ...ids] = positionals;
  const one = (usage: string): string => {
    if (ids.length !== 1) throw new UsageError(`Usage: rekey apps ${usage}`);
    return ids[0]!;
  };
  if (!action) throw new UsageError(USAGE);
  const caller = await callerFromToken(runtime, values.token as string | undefined);
  const core = runtime.core;

  switch (action) {
    case 'list': {
      const keyAccountId = values['key-account'] as string | undefined;
      const { items } = await listApps(core, caller, keyAccountId ? { keyAccountId } : {});
      if (json) print(out, { items }, true);
      else
        out.stdout.write(
          items.length ? `${items.map((app) => `${app.id}  ${app.state.padEnd(10)} ${app.name}`).join('\n')}\n` : '(no apps)\n',
        );
      return EXIT.ok;
    }
    case 'get':
      print(out, await getApp(core, caller, one('get <appId>')), json);
      return EXIT.ok;
    case 'create': {
      const name = values.name as string | undefined;
      if (!name) throw new UsageError('Usage: rekey apps create --name NAME [--api-key-id ID]');
      const apiKeyId = values['api-key-id'] as string | undefined;
      const created = await createApp(core, caller, { name, ...(apiKeyId ? { config: { apiKeyId } } : {}) });
      print(out, created, json);
      if (!json) out.stderr.write('The app token above is shown once. Give it to the app now.\n');
      return EXIT.ok;
    }
    case 'update': {
      const appId = one('update <appId> [--name NAME] [--api-key-id ID|none]');
      const name = values.name as string | undefined;
      const apiKeyId = values['api-key-id'] as string | undefined;
      if (name === undefined && apiKeyId === undefined) throw new UsageError('update needs --name or --api-key-id.');
      print(
        out,
        await updateApp(core, caller, appId, {
          ...(name !== undefined ? { name } : {}),
          ...(apiKeyId !== undefined ? { config: { apiKeyId: apiKeyId === 'none' ? null : apiKeyId } } : {}),
        }),
        json,
      );
      return EXIT.ok;
    }
    case 'delete': {
      const appId = one('delete <appId>');
      await confirm(`Delete app ${appId} and its secret slots`, values.yes);
      await deleteApp(core, caller, appId);
      print(out, json ? { deleted: appId } : `Deleted ${appId}.`, json);
      return EXIT.ok;
    }
    case 'deploy':
    case 'undeploy':
      print(out, await deployApp(core, caller, one(`${action} <appId>`), action === 'deploy' ? 'deployed' : 'undeployed'), json);
      return EXIT.ok;
    case 'set-secret': {
      if (ids.length !== 2) throw new UsageError('Usage: rekey apps set-secret <appId> <slot> --key-account ID --value-file F');
      const keyAccountId = values['key-account'] as string | undefined;
      if (!keyAccountId) throw new UsageError('set-secret needs --key-account ID.');
      print(
        out,
        await putAppSecret(core, caller, ids[0]!, ids[1]!, { keyAccountId, value: readValue(values['value-file'] as string | undefined) }),
        json,
      );
      return EXIT.ok;
    }
    case 'delete-secret': {
      if (ids.length !== 2) throw new UsageError('Usage: rekey apps delete-secret <appId> <slot>');
      await confirm(`Remove secret slot ${ids[1]} of app ${ids[0]}`, values.yes);
      await deleteAppSecret(core, caller, ids[0]!, ids[1]!);
      print(out, json ? { deleted: ids[1] } : `Removed slot ${ids[1]}.`, json);
      return EXIT.ok;
    }
    case 'token': {
      const result = await rotateAppToken(core, caller, one('token <appId>'));
      print(out, result, json);
      if (!json) out.stderr.write('The app token above is shown once; the previous one no longer works.\n');
      return EXIT.ok;
    }
    case 'rotate': {
      const keyAccountId = one('rotate <keyAccountId> [--grace-seconds N] [--idempotency-key K]');
      const grace = values['grace-seconds'] as string | undefined;
      if (grace !== undefined && !/^\d+$/.test(grace)) throw new UsageError('--grace-seconds must be a non-negative integer.');
      const key = values['idempotency-key'] as string | undefined;
      await confirm(
        `Rotate the secret of key account ${keyAccountId} through its apps (undeploy, regenerate, write slots, deploy)`,
        values.yes,
      );
      const result = await rotateWithApps(core, caller, keyAccountId, {
        graceSeconds: grace !== undefined ? Number(grace) : 0,
        ...(key ? { idempotencyKey: key } : {}),
      });
      print(out, result, json);
      return EXIT.ok;
    }
    default:
      throw new UsageError(USAGE);
  }
}

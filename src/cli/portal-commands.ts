import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import {
  registerPortal,
  createSandbox,
  issueSandboxAdminToken,
  listSandboxes,
  refreshSandbox,
  createSignedUrl,
  verifySignedUrl,
} from '../core/portal/index.js';
import type { PasswordVerifier } from '../core/accounts/index.js';
import { checkWebhookUrl, createWebhook, deleteWebhook, listWebhooks } from '../core/notify/index.js';
import type { Runtime } from '../main.js';
import { checkWebhookTarget, parseWebhookAllowList } from '../mail/index.js';
import { hashPassword, verifyPassword } from '../password-hash.js';
import { parseSignedUrl, signUrl, signedUrlSignature } from '../protocols/signed-url.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';
import { callerFromToken } from './caller-from-token.js';
import { parseOptions } from './parse-options.js';
import { confirm } from './confirm.js';

const USAGE = {
  register: 'Usage: rekey register --company-id ID --email EMAIL --password-file F',
  sandboxes: `Usage: rekey sandboxes <action> …
  create [--name NAME]            a sandbox of your account (prints an admin token for your copy, once)
  list
  refresh <sandboxId>             replace its clients with copies of yours; deletes every access key in it
  admin-token <sandboxId>         a new admin token for your member in the sandbox (once)`,
  webhooks: `Usage: rekey webhooks <action> …
  add <url> [--event TYPE …]      prints the whsec_ signing secret once
  list
  remove <webhookId>`,
  'signed-urls': `Usage: rekey signed-urls <action> …
  create <url> --ttl-seconds N [--method GET]
  verify <url> [--method GET]`,
} as const;

let dummyHash: Promise<string> | undefined;
const passwords: PasswordVerifier = {
  verify: (stored, password) => verifyPassword(stored, password),
  dummyHash: () => (dummyHash ??= hashPassword('rekey cli dummy password')),
};

function readPassword(path: string | undefined): string {
  if (!path) throw new UsageError(USAGE.register);
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new UsageError(`Cannot read --password-file ${path}.`);
  }
}

function positiveInteger(value: unknown, flag: string): number {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,8}$/.test(value)) throw new UsageError(`${flag} must be a positive integer.`);
  return Number(value);
}

/** `rekey register`, `rekey sandboxes …`, `rekey webhooks …`, `rekey signed-urls …`: the same core commands the API runs. */
export async function portalCommands(
  group: keyof typeof USAGE,
  args: string[],
  runtime: Runtime,
  out: Output,
  json: boolean,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    token: { type: 'string' },
    'company-id': { type: 'string' },
    email: { type: 'string' },
    'password-file': { type: 'string' },
    name: { type: 'string' },
    event: { type: 'string', multiple: true },
    method: { type: 'string' },
    'ttl-seconds': { type: 'string' },
  });
  const core = runtime.core;
  const [action, ...ids] = positionals;

  if (group === 'register') {
    const companyId = values['company-id'] as string | undefined;
    const email = values.email as string | undefined;
    if (!companyId || !email || positionals.length > 0) throw new UsageError(USAGE.register);
    const result = await registerPortal(
      core,
      { companyId, email, password: readPassword(values['password-file'] as string | undefined), address: 'cli' },
      passwords,
    );
    if (json) print(out, result, true);
    else
      out.stdout.write(
        `Registered account ${result.accountId}: portal key account ${result.clientId}, secret version ${result.versionId}.\nThe secret went to the portal app; a confirmation email is queued.\n`,
      );
    return EXIT.ok;
  }

  const usage = USAGE[group];
  if (!action) throw new UsageError(usage);
  const caller = await callerFromToken(runtime, values.token as string | undefined);
  const one = (): string => {
    if (ids.length !== 1) throw new UsageError(usage);
    return ids[0]!;
  };

  if (group === 'sandboxes') {
    switch (action) {
      case 'create':
        print(out, await createSandbox(core, caller, caller.accountId, values.name ? { name: values.name as string } : {}), json);
        return EXIT.ok;
      case 'list':
        print(
          out,
          json ? await listSandboxes(core, caller, caller.accountId) : (await listSandboxes(core, caller, caller.accountId)).items,
          json,
        );
        return EXIT.ok;
      case 'refresh': {
        const sandboxId = one();
        await confirm(`Refresh sandbox ${sandboxId} (its clients are replaced and every access key in it is deleted)`, values.yes);
        print(out, await refreshSandbox(core, caller, sandboxId), json);
        return EXIT.ok;
      }
      case 'admin-token':
        print(out, await issueSandboxAdminToken(core, caller, one()), json);
        return EXIT.ok;
    }
  }

  if (group === 'webhooks') {
    switch (action) {
      case 'add': {
        const url = checkWebhookUrl(one());
        await checkWebhookTarget(url, parseWebhookAllowList(runtime.config.webhookAllow));
        const events = values.event as string[] | undefined;
        print(out, await createWebhook(core, caller, { url, ...(events ? { events } : {}) }), json);
        return EXIT.ok;
      }
      case 'list': {
        const listed = await listWebhooks(core, caller);
        print(out, json ? listed : listed.items, json);
        return EXIT.ok;
      }
      case 'remove': {
        const webhookId = one();
        await confirm(`Remove webhook ${webhookId}`, values.yes);
        await deleteWebhook(core, caller, webhookId);
        if (!json) out.stdout.write('Removed.\n');
        else print(out, { removed: true }, true);
        return EXIT.ok;
      }
    }
  }

  if (group === 'signed-urls') {
    const method = (values.method as string | undefined) ?? 'GET';
    const url = one();
    switch (action) {
      case 'create': {
        const ttlSeconds = positiveInteger(values['ttl-seconds'], '--ttl-seconds');
        try {
          signUrl({ method, url, key: new Uint8Array(32), kid: 'check', expiresAtSeconds: 0 });
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        print(
          out,
          await createSignedUrl(core, caller, { ttlSeconds }, (key, kid, expiresAtSeconds) =>
            signUrl({ method, url, key, kid, expiresAtSeconds }),
          ),
          json,
        );
        return EXIT.ok;
      }
      case 'verify': {
        const parsed = parseSignedUrl(method, url);
        const verdict = await verifySignedUrl(
          core,
          caller,
          parsed.ok
            ? {
                kid: parsed.kid,
                expiresAtSeconds: parsed.exp,
                matches: (key) => timingSafeEqual(signedUrlSignature(key, parsed.canonicalInput), parsed.sig),
              }
            : null,
        );
        print(out, verdict, json);
        return verdict.valid ? EXIT.ok : EXIT.auth;
      }
    }
  }
  throw new UsageError(usage);
}

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '../src/core/credentials/client.js';
import { initializeAccount } from '../src/core/accounts/initialize-account.js';
import { versionAad } from '../src/core/kernel/keyring.js';
import { newId } from '../src/core/kernel/new-id.js';
import type { SecretVersion } from '../src/core/credentials/secret-version.js';
import { tokenAad, type TbaToken } from '../src/core/tba/tba-token.js';
import { percentEncode } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * The published OAuth 1.0a vectors (RFC 5849 V1–V3, the HMAC-SHA256 one of PROTOCOLS.md, and our
 * own with realm, query and form body) verified by the server itself: each vector's consumer and
 * token are stored as an integration record and a token of an account named by its realm, the
 * clock is set to its timestamp, and POST /v1/verify is asked about the request exactly as the
 * vector describes it. Vectors that include oauth_version are also signed live by python oauthlib,
 * whose header must carry the expected signature and verify too.
 */

interface OAuthVector {
  name: string;
  method: string;
  url: string;
  formBody?: string;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  nonce: string;
  timestamp: number;
  realm?: string;
  version?: '1.0';
  signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256';
  expected: { signature: string };
}

const { vectors } = JSON.parse(readFileSync(new URL('./vectors/oauth1.json', import.meta.url), 'utf8')) as { vectors: OAuthVector[] };
const run = promisify(execFile);
const PYTHON_SIGNER = fileURLToPath(new URL('./interop/oauth1_sign.py', import.meta.url));

/** Realm is not signed, so a vector without one can be given any: the account it is stored in. */
const realmOf = (v: OAuthVector): string => v.realm ?? (v.url.includes('example.com') ? 'example' : 'Photos');

function headerOf(v: OAuthVector, signature: string): string {
  const fields: Array<[string, string]> = [
    ['oauth_consumer_key', v.consumerKey],
    ['oauth_token', v.token],
    ['oauth_signature_method', v.signatureMethod],
    ['oauth_timestamp', String(v.timestamp)],
    ['oauth_nonce', v.nonce],
    ...(v.version ? [['oauth_version', v.version] as [string, string]] : []),
    ['oauth_signature', signature],
  ];
  return `OAuth realm="${realmOf(v)}", ${fields.map(([name, value]) => `${name}="${percentEncode(value)}"`).join(', ')}`;
}

/** Stores the vector's consumer pair and token as Rekey records; returns an admin token of the realm's account. */
async function seed(rekey: Rekey, v: OAuthVector): Promise<{ adminToken: string; memberId: string; clientId: string }> {
  const { core } = rekey.runtime;
  const realm = realmOf(v);
  const account = await initializeAccount(
    core,
    { accountId: realm, name: realm, adminEmail: `admin@${realm.toLowerCase()}.test`, passwordHash: null },
    { requireEmpty: false },
  );
  const now = core.clock.now();
  const client: Client = {
    id: newId('cli', core.random),
    accountId: realm,
    profile: 'tba',
    name: v.name,
    state: 'active',
    fields: { tokenBasedAuth: true, allowHmacSha1: v.signatureMethod === 'HMAC-SHA1' },
    consumerKey: v.consumerKey,
    failedAttempts: 0,
    lockedAt: null,
    lockedUntil: null,
    rotationPolicy: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  const versionId = newId('ver', core.random);
  const version: SecretVersion = {
    id: versionId,
    clientId: client.id,
    accountId: realm,
    state: 'current',
    secretHash: core.keyring.hash(v.consumerSecret),
    secretCiphertext: core.keyring.encrypt(v.consumerSecret, versionAad(client.id, versionId)),
    createdAt: now,
    expiresAt: null,
    graceUntil: null,
    retiredAt: null,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
  };
  const token: TbaToken = {
    id: v.token,
    clientId: client.id,
    consumerClientId: client.id,
    accountId: realm,
    memberId: account.memberId,
    role: 'Administrator',
    secretHash: core.keyring.hash(v.tokenSecret),
    secretCiphertext: '',
    createdAt: now,
    revokedAt: null,
    revokedReason: null,
  };
  token.secretCiphertext = core.keyring.encrypt(v.tokenSecret, tokenAad(token));
  await core.store.transaction(async (tx) => {
    await tx.insertClient(client);
    await tx.insertVersion(version);
    await tx.insertToken(token);
  });
  return { adminToken: account.adminToken, memberId: account.memberId, clientId: client.id };
}

async function verify(rekey: Rekey, adminToken: string, v: OAuthVector, authorization: string) {
  const headers: Record<string, string> = { authorization };
  if (v.formBody !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await send(rekey.url, 'POST', '/v1/verify', {
    token: adminToken,
    body: {
      method: v.method,
      url: v.url,
      headers,
      ...(v.formBody !== undefined ? { body: Buffer.from(v.formBody).toString('base64') } : {}),
    },
  });
  expect(response.status, response.text).toBe(200);
  return response.json;
}

describe.each(STORE_KINDS)('OAuth 1.0a vectors verified by the server (%s)', (kind) => {
  let rekey: Rekey | undefined;
  afterEach(async () => {
    await rekey?.close();
    rekey = undefined;
  });

  it('covers V1–V3, the HMAC-SHA256 vector and our own', () => {
    expect(vectors.map((v) => v.name).slice(0, 4)).toEqual(['V1', 'V2', 'V3', 'V2-HMAC-SHA256']);
    expect(vectors.length).toBeGreaterThanOrEqual(7);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    rekey = await startRekey(kind);
    const { adminToken, memberId, clientId } = await seed(rekey, v);
    rekey.clock.advance(v.timestamp * 1000 - rekey.clock.now());

    const ok = await verify(rekey, adminToken, v, headerOf(v, v.expected.signature));
    expect(ok).toMatchObject({
      valid: true,
      code: 'ok',
      credentialType: 'oauth1',
      accountId: realmOf(v),
      clientId,
      profile: 'tba',
      memberId,
      role: 'Administrator',
    });

    // The nonce is spent; a wrong signature is refused before the nonce is looked at.
    expect(await verify(rekey, adminToken, v, headerOf(v, v.expected.signature))).toMatchObject({ valid: false, code: 'replayed_nonce' });
    const flipped = `${v.expected.signature[0] === 'A' ? 'B' : 'A'}${v.expected.signature.slice(1)}`;
    expect(
      await verify(rekey, adminToken, { ...v, nonce: `${v.nonce}x` }, headerOf({ ...v, nonce: `${v.nonce}x` }, flipped)),
    ).toMatchObject({ valid: false, code: 'bad_signature' });
    // Another account's admin token cannot verify this account's tokens.
    expect(
      await verify(
        rekey,
        rekey.other.token,
        { ...v, nonce: `${v.nonce}y` },
        headerOf({ ...v, nonce: `${v.nonce}y` }, v.expected.signature),
      ),
    ).toMatchObject({ valid: false, code: 'unknown_client' });

    if (v.version === '1.0') {
      // A second, independent implementation (python oauthlib) signs the same inputs …
      const sign = async (nonce: string): Promise<string> => {
        const { stdout } = await run('/usr/bin/python3', [PYTHON_SIGNER, JSON.stringify({ ...v, nonce, realm: realmOf(v) })]);
        return JSON.parse(stdout).authorization as string;
      };
      expect(decodeURIComponent(/oauth_signature="([^"]+)"/.exec(await sign(v.nonce))![1]!)).toBe(v.expected.signature);
      // … and its header, with a nonce not yet spent, verifies.
      expect(await verify(rekey, adminToken, v, await sign(`${v.nonce}py`))).toMatchObject({ valid: true, memberId });
    }
  });
});

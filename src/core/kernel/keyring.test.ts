import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { HASH_MEMO_GENERATION, constantTimeEqual, createKeyring } from './keyring.js';

describe('constantTimeEqual', () => {
  it('is equality: same strings only', () => {
    const hash = 'Qm9vayBvZiBSZWtleSBoYXNoZXMgYXJlIDQzIGNoYXJz';
    expect(constantTimeEqual(hash, `${hash}`)).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual(hash, `${hash.slice(0, -1)}t`)).toBe(false);
    expect(constantTimeEqual(hash, `X${hash.slice(1)}`)).toBe(false);
    expect(constantTimeEqual(hash, hash.slice(1))).toBe(false);
    expect(constantTimeEqual(hash, `${hash}=`)).toBe(false);
    // Characters whose codes differ only in bits that cancel in a sum still differ.
    expect(constantTimeEqual('ab', 'ba')).toBe(false);
    expect(constantTimeEqual('\u0100', '\u0000')).toBe(false);
  });
});

describe('the pepper hash memo', () => {
  const pepper = randomBytes(32);
  const keyring = createKeyring({ dataKey: randomBytes(32), pepper, signedUrlSalt: randomBytes(32) }, { bytes: randomBytes });
  const byDefinition = (secret: string): string => createHmac('sha256', pepper).update(secret, 'utf8').digest('base64url');

  it('answers the peppered HMAC for every secret, before and after its generations turn over', () => {
    const secrets = Array.from({ length: HASH_MEMO_GENERATION * 2 + 1_000 }, (_, i) => `rk_sec_${i}`);
    for (const secret of secrets) expect(keyring.hash(secret)).toBe(byDefinition(secret));
    // Asked again in another order: memoised ones (young or old) and dropped ones alike.
    for (let i = secrets.length - 1; i >= 0; i -= 7) expect(keyring.hash(secrets[i]!)).toBe(byDefinition(secrets[i]!));
    expect(keyring.hash('rk_sec_0')).toBe(byDefinition('rk_sec_0'));
  });
});

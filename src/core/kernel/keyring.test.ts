import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './keyring.js';

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

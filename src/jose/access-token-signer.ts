import { createSigner } from 'fast-jwt';
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type SigningAlgorithm } from '../core/oauth/index.js';

/** Signs access tokens under the header `{alg, typ: "at+jwt", kid}` (RFC 9068 §2.1). */
export interface AccessTokenSigner {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  sign(claims: AccessTokenClaims): string;
}

/**
 * Token issuance is the OAuth data plane's hot path, so tokens are signed synchronously with
 * node:crypto through fast-jwt: WebCrypto signing costs a thread-pool round trip per token.
 * The tests check every token with jose, a second JOSE implementation.
 * The claims are built (and typed) by `accessTokenClaims`, `iat` and `exp` included; the signer
 * adds nothing to them.
 */
export function createAccessTokenSigner(alg: SigningAlgorithm, privateJwk: JsonWebKey, kid: string): AccessTokenSigner {
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const expectedType = alg === 'ES256' ? 'ec' : 'ed25519';
  if (key.asymmetricKeyType !== expectedType)
    throw new Error(`An ${alg} signing key must be ${expectedType}, not ${String(key.asymmetricKeyType)}.`);
  if (alg === 'ES256' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('An ES256 signing key must be on P-256.');
  const signPayload = createSigner({
    key: key.export({ format: 'pem', type: 'pkcs8' }) as string,
    algorithm: alg,
    kid,
    header: { alg, typ: ACCESS_TOKEN_TYPE },
  });
  return { kid, alg, sign: (claims) => signPayload(claims) };
}

import { decodeProtectedHeader, errors, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_TYPE, isSigningAlgorithm, parseAccessTokenClaims, type SigningAlgorithm } from '../../src/core/oauth/index.js';
import type { VerifiedToken } from '../../src/jose/access-token-jwt.js';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 4096;

/**
 * The access-token verifier the server used before it verified with node:crypto, kept verbatim on
 * jose's `jwtVerify` as the reference the synchronous verifier is held to.
 */
export async function verifyAccessTokenWithJose(
  keyOf: (kid: string) => { alg: SigningAlgorithm; publicKey: CryptoKey } | null,
  token: string,
  options: { issuer: string; now: number },
): Promise<VerifiedToken> {
  if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) {
    return { ok: false, code: 'malformed_credential', message: 'The bearer token is not a signed JWT access token.' };
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, code: 'malformed_credential', message: "The access token's header cannot be read." };
  }
  if (typeof header.alg !== 'string' || !isSigningAlgorithm(header.alg)) {
    return {
      ok: false,
      code: 'malformed_credential',
      message: 'The access token is not signed with an algorithm this server uses (ES256 or EdDSA).',
    };
  }
  if (header.typ !== ACCESS_TOKEN_TYPE || typeof header.kid !== 'string') {
    return { ok: false, code: 'malformed_credential', message: 'The token is not a Rekey access token (typ at+jwt with a kid).' };
  }
  const key = keyOf(header.kid);
  if (!key || key.alg !== header.alg) {
    return { ok: false, code: 'bad_signature', message: 'The access token was not signed by a key of this server.' };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: options.issuer,
      typ: ACCESS_TOKEN_TYPE,
      currentDate: new Date(options.now),
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      return { ok: false, code: 'expired', message: 'The access token has expired; request a new one.' };
    if (error instanceof errors.JWTClaimValidationFailed)
      return { ok: false, code: 'malformed_credential', message: `The access token's "${error.claim}" claim is not valid here.` };
    return { ok: false, code: 'bad_signature', message: "The access token's signature does not verify." };
  }
  const claims = parseAccessTokenClaims(payload as Record<string, unknown>);
  if (!claims) return { ok: false, code: 'malformed_credential', message: 'The access token lacks claims Rekey issues.' };
  return { ok: true, claims };
}

import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_TYPE, parseAccessTokenClaims, type AccessTokenClaims, isSigningAlgorithm } from '../core/oauth/index.js';
import type { ErrorCode } from '../core/kernel/index.js';
import type { SigningKeyRing } from './signing-key-ring.js';

export type VerifiedToken =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; code: Extract<ErrorCode, 'malformed_credential' | 'bad_signature' | 'expired'>; message: string };

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 4096;

/**
 * Checks that `token` is an access token this server signed and that it has not expired: the
 * header must name one of our algorithms and keys (so `alg: none` and HS256 keyed with a public
 * key never reach a verifier), the signature must verify with that key, `typ` must be at+jwt and
 * `iss` ours. Whether it was revoked is judged afterwards, against the client's state.
 */
export async function verifyAccessToken(
  keys: SigningKeyRing,
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
  const key = await keys.verificationKey(header.kid);
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

import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, parseAccessTokenClaims, type AccessTokenClaims, isSigningAlgorithm } from '../core/oauth/index.js';
import type { SigningAlgorithm } from '../core/oauth/index.js';
import type { ErrorCode } from '../core/kernel/index.js';

export type VerifiedToken =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; code: Extract<ErrorCode, 'malformed_credential' | 'bad_signature' | 'expired'>; message: string };

/** A public key of the ring, imported once for node:crypto. */
export interface AccessTokenKey {
  alg: SigningAlgorithm;
  keyObject: KeyObject;
}

/** What verification needs of the signing-key ring: a key by kid, without a promise once loaded. */
export interface AccessTokenKeys {
  verificationKey(kid: string): AccessTokenKey | null | Promise<AccessTokenKey | null>;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 4096;
/** The JSON inside a JWS must be UTF-8 (RFC 7515 §5.2), as jose insists. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

type Refusal = Extract<VerifiedToken, { ok: false }>;
const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

const NOT_A_JWT = refuse('malformed_credential', 'The bearer token is not a signed JWT access token.');
const BAD_HEADER = refuse('malformed_credential', "The access token's header cannot be read.");
const BAD_ALG = refuse('malformed_credential', 'The access token is not signed with an algorithm this server uses (ES256 or EdDSA).');
const NOT_OURS = refuse('malformed_credential', 'The token is not a Rekey access token (typ at+jwt with a kid).');
const UNKNOWN_KEY = refuse('bad_signature', 'The access token was not signed by a key of this server.');
const BAD_SIGNATURE = refuse('bad_signature', "The access token's signature does not verify.");
const EXPIRED = refuse('expired', 'The access token has expired; request a new one.');
const LACKS_CLAIMS = refuse('malformed_credential', 'The access token lacks claims Rekey issues.');
const invalidClaim = (claim: string): Refusal => refuse('malformed_credential', `The access token's "${claim}" claim is not valid here.`);

/** A plain JSON object (not an array or null), as JOSE requires of headers and claim sets. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** base64url → JSON object, or null; a length that is 1 mod 4 cannot be base64url (Node would drop the char). */
function decodeJsonPart(part: string): Record<string, unknown> | null {
  if (part.length % 4 === 1) return null;
  try {
    const value: unknown = JSON.parse(STRICT_UTF8.decode(Buffer.from(part, 'base64url')));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

interface ReadToken {
  ok: true;
  alg: SigningAlgorithm;
  kid: string;
  header: Record<string, unknown>;
  /** Index of the second dot: the signing input is `token.slice(0, signedEnd)`. */
  signedEnd: number;
}

/** The compact form and the header, before any key is looked up. */
function readAccessToken(token: string): ReadToken | Refusal {
  if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) return NOT_A_JWT;
  const header = decodeJsonPart(token.slice(0, token.indexOf('.')));
  if (header === null) return BAD_HEADER;
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || !isSigningAlgorithm(alg)) return BAD_ALG;
  if (typ !== ACCESS_TOKEN_TYPE || typeof kid !== 'string') return NOT_OURS;
  return { ok: true, alg, kid, header, signedEnd: token.lastIndexOf('.') };
}

/** The checks jose's jwtVerify made with our options, in its order: presence, issuer, then times. */
function checkClaims(payload: Record<string, unknown>, options: { issuer: string; now: number }): VerifiedToken {
  for (const claim of ['iss', 'aud', 'sub', 'jti', 'iat', 'exp']) if (!Object.hasOwn(payload, claim)) return invalidClaim(claim);
  if (payload.iss !== options.issuer) return invalidClaim('iss');
  const nowSeconds = Math.floor(options.now / 1000);
  if (typeof payload.iat !== 'number') return invalidClaim('iat');
  // No clock skew is allowed either way: a node's tokens are checked against the same clocks that issued them.
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowSeconds)) return invalidClaim('nbf');
  if (typeof payload.exp !== 'number') return invalidClaim('exp');
  if (payload.exp <= nowSeconds) return EXPIRED;
  const claims = parseAccessTokenClaims(payload);
  return claims ? { ok: true, claims } : LACKS_CLAIMS;
}

/**
 * Verifies a token already read against the key its header names, synchronously with node:crypto:
 * WebCrypto would cost a thread-pool round trip per token. A header with `crit` is refused: we
 * never sign one, and an extension we do not implement must not be ignored (RFC 7515 §4.1.11).
 */
function checkAccessToken(
  token: string,
  read: ReadToken,
  key: AccessTokenKey | null,
  options: { issuer: string; now: number },
): VerifiedToken {
  if (key === null || key.alg !== read.alg) return UNKNOWN_KEY;
  if (read.header.crit !== undefined) return BAD_SIGNATURE;
  const encodedSignature = token.slice(read.signedEnd + 1);
  if (encodedSignature.length % 4 === 1) return BAD_SIGNATURE;
  const signature = Buffer.from(encodedSignature, 'base64url');
  const signingInput = Buffer.from(token.slice(0, read.signedEnd), 'latin1');
  let good: boolean;
  try {
    good =
      read.alg === 'ES256'
        ? signature.length === 64 && verifySignature('sha256', signingInput, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, signature)
        : verifySignature(null, signingInput, key.keyObject, signature);
  } catch {
    good = false;
  }
  if (!good) return BAD_SIGNATURE;
  const payload = decodeJsonPart(token.slice(token.indexOf('.') + 1, read.signedEnd));
  if (payload === null) return BAD_SIGNATURE;
  return checkClaims(payload, options);
}

/**
 * Checks that `token` is an access token this server signed and that it has not expired: the
 * header must name one of our algorithms and keys (so `alg: none` and HS256 keyed with a public
 * key never reach a verifier), the signature must verify with that key, `typ` must be at+jwt and
 * `iss` ours. Whether it was revoked is judged afterwards, against the client's state. The tests
 * hold every verdict against jose's `jwtVerify` on the same tokens.
 */
export function verifyAccessToken(
  keys: AccessTokenKeys,
  token: string,
  options: { issuer: string; now: number },
): VerifiedToken | Promise<VerifiedToken> {
  const read = readAccessToken(token);
  if (!read.ok) return read;
  const key = keys.verificationKey(read.kid);
  if (key instanceof Promise) return key.then((loaded) => checkAccessToken(token, read, loaded, options));
  return checkAccessToken(token, read, key, options);
}

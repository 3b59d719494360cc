import { createHash, timingSafeEqual } from 'node:crypto';
import { isValidAccountId } from '../core/accounts/index.js';
import type { AuthOutcome, UsageRecorder } from '../core/auth/index.js';
import { authenticateToken } from '../core/tba/index.js';
import { type CoreDeps, RekeyError } from '../core/kernel/index.js';
import {
  collectRequestParams,
  oauthBaseUri,
  oauthSignature,
  parseOAuthAuthorizationHeader,
  signatureBaseString,
  validateOAuthParams,
} from '../protocols/oauth1.js';
import { contextOf, type DataPlaneRequest, type RequestAuthOptions } from './data-plane-request.js';

const MAX_FIELD_LENGTH = 256;

function challengeFor(realm: string | undefined): string {
  return `OAuth realm="${realm !== undefined && isValidAccountId(realm) ? realm : 'rekey'}"`;
}

function badRequest(message: string): { ok: false; error: RekeyError } {
  return { ok: false, error: new RekeyError('invalid_request', message, { errors: [{ pointer: '/headers/authorization', message }] }) };
}

function isFormBody(request: DataPlaneRequest): boolean {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' && request.body !== undefined && request.body.length > 0;
}

function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The OAuth Request Body Hash extension: base64 of a digest of the raw body, itself a signed
 * parameter. Clients use SHA-1 (what the extension names for HMAC-SHA1, and what common clients
 * send whatever the signature method) or SHA-256; the length tells which.
 */
function bodyHashMatches(presented: string, body: Buffer): boolean {
  const algorithm = presented.length === 28 ? 'sha1' : presented.length === 44 ? 'sha256' : null;
  if (algorithm === null) return false;
  return signaturesEqual(createHash(algorithm).update(body).digest('base64'), presented);
}

/**
 * OAuth 1.0a token-based authentication (SPEC §4.2, RFC 5849): parameters from the header, query
 * and a form body; missing, duplicated or unsupported parameters → 400; everything else that fails
 * → 401 with an `OAuth realm="…"` challenge.
 */
export async function authenticateOAuth1(
  deps: CoreDeps,
  usage: UsageRecorder,
  request: DataPlaneRequest,
  options: RequestAuthOptions,
): Promise<AuthOutcome> {
  const header = parseOAuthAuthorizationHeader(request.headers.authorization ?? '');
  if (!header.ok) return badRequest(header.message);
  if (header.realm === undefined || header.realm === '')
    return badRequest('The OAuth realm parameter is missing; send realm="<account id>".');

  // The query is signed as sent, so it is read from the raw target rather than a normalised URL.
  const targetUri = request.targetUri.split('#')[0] ?? '';
  const queryStart = targetUri.indexOf('?');
  const query = queryStart === -1 ? '' : targetUri.slice(queryStart + 1);
  let baseUri: string;
  try {
    baseUri = oauthBaseUri(targetUri);
  } catch {
    return badRequest('The request URL cannot be read.');
  }
  const formBody = isFormBody(request) ? request.body!.toString('utf8') : undefined;
  const collected = collectRequestParams({ query, headerParams: header.params, ...(formBody !== undefined ? { formBody } : {}) });
  if (!collected.ok) return badRequest(collected.message);
  const validated = validateOAuthParams(collected.params);
  if (!validated.ok) return badRequest(validated.message);
  const protocol = validated.value;
  for (const [name, value] of [
    ['oauth_consumer_key', protocol.consumerKey],
    ['oauth_token', protocol.token],
    ['oauth_nonce', protocol.nonce],
    ['realm', header.realm],
  ] as const) {
    if (value.length > MAX_FIELD_LENGTH) return badRequest(`The OAuth parameter ${name} is longer than ${MAX_FIELD_LENGTH} characters.`);
  }

  // Duplicates were refused above with every other protocol parameter.
  const bodyHash = collected.params.find(([name]) => name === 'oauth_body_hash')?.[1];
  if (bodyHash !== undefined) {
    if (formBody !== undefined) return badRequest('oauth_body_hash must not be sent with a form-encoded body (the form itself is signed).');
    if (!bodyHashMatches(bodyHash, request.body ?? Buffer.alloc(0))) {
      return {
        ok: false,
        error: new RekeyError('digest_mismatch', 'The oauth_body_hash does not match the request body.', {
          challenge: challengeFor(header.realm),
          realm: isValidAccountId(header.realm) ? header.realm : 'rekey',
        }),
      };
    }
  }

  // The base string is computed once; each candidate secret pair only costs an HMAC.
  const signed = collected.params.filter(([name]) => name !== 'oauth_signature');
  const baseString = signatureBaseString(request.method, baseUri, signed);
  const outcome = await authenticateToken(
    deps,
    usage,
    {
      consumerKey: protocol.consumerKey,
      tokenId: protocol.token,
      realm: header.realm,
      signatureMethod: protocol.signatureMethod,
      timestampSeconds: protocol.timestampSeconds,
      nonce: protocol.nonce,
      matches: (consumerSecret, tokenSecret) =>
        signaturesEqual(oauthSignature(protocol.signatureMethod, baseString, consumerSecret, tokenSecret), protocol.signature),
    },
    {
      now: deps.clock.now(),
      context: contextOf(request),
      ...(options.accountId !== undefined ? { accountId: options.accountId } : {}),
    },
  );
  if (!outcome.ok && outcome.error.code !== 'invalid_request' && outcome.error.code !== 'unavailable') {
    outcome.error.fields.challenge = challengeFor(header.realm);
    outcome.error.fields.realm = isValidAccountId(header.realm) ? header.realm : 'rekey';
  }
  return outcome;
}

import { authenticateClient, spendSignatureNonce, type AuthOutcome, type Identity, type UsageRecorder } from '../core/auth/index.js';
import type { AppDeps } from './app-deps.js';
import { authenticateBearer } from './authenticate-bearer.js';
import { authenticateOAuth1 } from './authenticate-oauth1.js';
import { type CoreDeps, isWellFormedCredential, RekeyError } from '../core/kernel/index.js';
import { contextOf, type DataPlaneRequest, type RequestAuthOptions } from './data-plane-request.js';
import { checkContentDigest, hmacSha256Signature, parseSignedRequest, signaturesEqual } from '../protocols/http-signature.js';
import { profilesAccepting } from '../core/credentials/index.js';
import { verificationMethodOf } from './verification-tally.js';

/** What data-plane authentication needs: Bearer tokens are checked against the OAuth runtime. */
export type DataPlaneDeps = Pick<AppDeps, 'core' | 'usage' | 'oauth' | 'verifications'>;

/** Seconds a signature's `created` may differ from the server clock (SPEC §4a). */
export const SIGNATURE_WINDOW_SECONDS = 300;

export const DATA_PLANE_CHALLENGE = 'Basic realm="rekey", Signature realm="rekey"';

function fail(code: RekeyError['code'], message: string): { ok: false; error: RekeyError } {
  return { ok: false, error: new RekeyError(code, message) };
}

function percentDecode(value: string): string | null {
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Authenticates a data-plane request with whichever supported method it carries. Malformed
 * credentials are refused before any storage access; signed methods consume their nonce only
 * after the signature verifies.
 */
export function authenticateRequest(
  deps: DataPlaneDeps,
  request: DataPlaneRequest,
  options: RequestAuthOptions = {},
): AuthOutcome | Promise<AuthOutcome> {
  const outcome = authenticateAny(deps, request, options);
  const tally = deps.verifications;
  if (tally === undefined) return outcome;
  const method = verificationMethodOf(request.headers);
  if (!(outcome instanceof Promise)) {
    tally.count(method, outcome);
    return outcome;
  }
  return outcome.then((settled) => {
    tally.count(method, settled);
    return settled;
  });
}

function authenticateAny(deps: DataPlaneDeps, request: DataPlaneRequest, options: RequestAuthOptions): AuthOutcome | Promise<AuthOutcome> {
  const { core, usage } = deps;
  const now = core.clock.now();
  const authorization = request.headers.authorization;
  const hasSignature = request.headers['signature-input'] !== undefined || request.headers.signature !== undefined;

  if (authorization !== undefined && options.only === undefined) {
    const { scheme, value } = splitAuthorization(authorization);
    if (scheme.toLowerCase() === 'basic') return authenticateBasic(core, usage, request, value, now, options);
    if (scheme.toLowerCase() === 'oauth') return authenticateOAuth1(core, usage, request, options);
    if (scheme.toLowerCase() === 'bearer') return authenticateBearer(core, deps.oauth, value, options);
    if (!hasSignature) return fail('unauthenticated', `The ${scheme} scheme is not accepted here; use Basic or a request signature.`);
  }
  if (!hasSignature)
    return fail('unauthenticated', 'Send credentials: Basic for key accounts and OAuth clients, a request signature for integrators.');
  return authenticateSignature(core, usage, request, now, options);
}

/** `<scheme> <value>`, with runs of whitespace in the value folded to one space. */
function splitAuthorization(authorization: string): { scheme: string; value: string } {
  const trimmed = authorization.trim();
  const gap = trimmed.search(/\s/);
  if (gap < 0) return { scheme: trimmed, value: '' };
  const value = trimmed.slice(gap).trimStart();
  return { scheme: trimmed.slice(0, gap), value: /\s/.test(value) ? value.split(/\s+/).join(' ') : value };
}

const BASIC_PROFILES = profilesAccepting('basic');
const SIGNATURE_PROFILES = profilesAccepting('http_signature');

function authenticateBasic(
  deps: CoreDeps,
  usage: UsageRecorder,
  request: DataPlaneRequest,
  value: string,
  now: number,
  options: RequestAuthOptions,
): AuthOutcome | Promise<AuthOutcome> {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return fail('malformed_credential', 'The Basic credentials are not valid base64.');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return fail('malformed_credential', 'Basic credentials must be id:secret.');
  // RFC 6749 §2.3.1: id and secret are form-encoded before base64.
  const clientId = percentDecode(decoded.slice(0, colon));
  const secret = percentDecode(decoded.slice(colon + 1));
  if (clientId === null || secret === null)
    return fail('malformed_credential', 'The Basic credentials contain a malformed percent-encoding.');
  if (!isWellFormedCredential(secret, 'secret'))
    return fail('malformed_credential', "The secret is not in Rekey's format or its checksum is wrong.");
  return authenticateClient(
    deps,
    usage,
    clientId,
    { kind: 'secret', secret },
    {
      credentialType: 'basic',
      profiles: BASIC_PROFILES,
      now,
      context: contextOf(request),
      accountId: options.accountId,
    },
  );
}

async function authenticateSignature(
  deps: CoreDeps,
  usage: UsageRecorder,
  request: DataPlaneRequest,
  now: number,
  options: RequestAuthOptions,
): Promise<AuthOutcome> {
  const body = request.body ?? Buffer.alloc(0);
  const hasBody = body.length > 0;
  const parsed = parseSignedRequest({ method: request.method, targetUri: request.targetUri, headers: request.headers, hasBody });
  if (!parsed.ok) return fail(parsed.code, parsed.message);
  const signed = parsed.value;
  const nowSeconds = Math.floor(now / 1000);
  if (Math.abs(nowSeconds - signed.created) > SIGNATURE_WINDOW_SECONDS) {
    return fail(
      'timestamp_out_of_window',
      `The signature was created ${nowSeconds - signed.created} s from the server's clock; the window is ±${SIGNATURE_WINDOW_SECONDS} s.`,
    );
  }
  if (signed.expires !== undefined && signed.expires <= nowSeconds) return fail('expired', 'The signature has expired.');
  // A Content-Digest that is sent is always compared, even with an empty body: otherwise a signed
  // body dropped in transit (Content-Length: 0, the covered digest kept) would verify (issue 14).
  if (hasBody || request.headers['content-digest'] !== undefined) {
    const digest = checkContentDigest(request.headers['content-digest'], body);
    if (digest === 'malformed') return fail('invalid_request', 'The Content-Digest header is malformed.');
    if (digest === 'mismatch' || (digest === 'missing' && hasBody))
      return fail(
        'digest_mismatch',
        digest === 'missing' ? 'A request with a body must carry a sha-256 Content-Digest.' : 'The Content-Digest does not match the body.',
      );
  }
  const outcome = await authenticateClient(
    deps,
    usage,
    signed.keyId,
    {
      kind: 'signature',
      matches: (secret) => signaturesEqual(hmacSha256Signature(Buffer.from(secret, 'utf8'), signed.signatureBase), signed.signature),
    },
    {
      credentialType: 'http_signature',
      profiles: SIGNATURE_PROFILES,
      now,
      context: contextOf(request),
      ...(options.accountId ? { accountId: options.accountId } : {}),
    },
  );
  if (!outcome.ok) return outcome;
  return spendSignatureNonce(
    deps,
    usage,
    outcome,
    { keyId: signed.keyId, nonce: signed.nonce, expiresAt: (signed.created + SIGNATURE_WINDOW_SECONDS) * 1000 + 1000 },
    now,
  );
}

export function identityBody(identity: Identity): Identity {
  return { ...identity };
}

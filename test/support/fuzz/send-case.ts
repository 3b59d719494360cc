import { createHash } from 'node:crypto';
import { checksumOf } from '../../../src/core/kernel/index.js';
import { signRequest } from '../../../src/protocols/http-signature.js';
import { buildOAuthHeader } from '../../../src/protocols/oauth1.js';
import { couldAct, type AuthPlan, type BodyPlan, type FuzzCase } from './fuzz-cases.js';
import type { Operation } from './operations.js';
import { sendRaw, type RawRequest, type RawResponse } from './raw-http.js';
import type { FuzzFixture } from './seed.js';

/** Well-formed (right prefix, right checksum) but issued to nobody: reaches the lookup and the lockout. */
const wellFormed = (prefix: string, fill: string): string => prefix + fill.repeat(43) + checksumOf(fill.repeat(43));
const WRONG_SECRET = wellFormed('rk_sec_', 'A');
const WRONG_ADMIN = wellFormed('rk_adm_', 'B');
const FRAMING = new Set(['content-length', 'transfer-encoding', 'content-type', 'content-encoding']);

export interface SentCase {
  request: RawRequest;
  response: RawResponse;
  /** The request presented a working credential and an unsafe method on its own account's ids. */
  couldAct: boolean;
}

/** Turns a case into bytes (signing what must be signed now) and sends it. */
export async function sendCase(port: number, fixture: FuzzFixture, operation: Operation, fuzzCase: FuzzCase): Promise<SentCase> {
  const acting = couldAct(fuzzCase, operation);
  const plan = acting ? fuzzCase.refusedBody : fuzzCase.body;
  let path = operation.path;
  operation.pathParams.forEach((name, index) => {
    path = path.replace(`{${name}}`, fuzzCase.params[index]!.raw);
  });
  const target = path + fuzzCase.query;
  const body = bodyBytes(plan);
  const headers: Array<[string, string]> = [];
  if (plan.contentType !== undefined) headers.push(['content-type', plan.contentType]);
  headers.push(...authHeaders(fuzzCase.auth, fixture, { port, method: fuzzCase.method, target, contentType: plan.contentType, body }));
  // A request that could act keeps its refused body: no header may reframe it (Content-Length: 0
  // would send an empty, valid body) or relabel it.
  headers.push(...(acting ? fuzzCase.headers.filter(([name]) => !FRAMING.has(name.toLowerCase())) : fuzzCase.headers));
  let wire = body;
  if (plan.chunked && body) {
    headers.push(['transfer-encoding', 'chunked']);
    wire = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  }
  const request: RawRequest = { method: fuzzCase.method, target, headers, ...(wire ? { body: wire } : {}) };
  return { request, response: await sendRaw(port, request), couldAct: acting };
}

function bodyBytes(plan: BodyPlan): Buffer | undefined {
  if (plan.oversized) return Buffer.from(`{"name":"${'a'.repeat(1024 * 1024 + 16)}"}`, 'latin1');
  return plan.text === undefined ? undefined : Buffer.from(plan.text, 'latin1');
}

interface Wire {
  port: number;
  method: string;
  target: string;
  contentType: string | undefined;
  body: Buffer | undefined;
}

function authHeaders(auth: AuthPlan, fixture: FuzzFixture, wire: Wire): Array<[string, string]> {
  switch (auth.kind) {
    case 'none':
      return [];
    case 'bearer':
      return [['authorization', `${auth.scheme} ${mutateToken(bearerToken(auth.token, fixture), auth.mutation)}`]];
    case 'basic':
      return [['authorization', basicHeader(auth, fixture)]];
    case 'signature':
      return signatureHeaders(auth.mutation, fixture, wire);
    case 'oauth1':
      return [['authorization', oauth1Header(auth.mutation, fixture, wire)]];
    case 'session': {
      const cookie = {
        real: fixture.session.cookie,
        garbage: 'rekey_session=garbage; rekey_csrf=garbage',
        duplicated: `${fixture.session.cookie}; ${fixture.session.cookie}`,
        nul: `${fixture.session.cookie}\u0000`,
        'other-csrf': `${fixture.session.cookie.replace(/rekey_csrf=[^;]*/, 'rekey_csrf=other')}`,
      }[auth.cookie];
      const csrf = { real: fixture.session.csrf, missing: undefined, wrong: 'x'.repeat(43), nul: '\u0000' }[auth.csrf];
      return [['cookie', cookie], ...(csrf === undefined ? [] : [['x-csrf-token', csrf] as [string, string]])];
    }
    case 'raw':
      return auth.values.map((value): [string, string] => ['authorization', value.replace(/^\u0001/, '')]);
  }
}

function bearerToken(choice: string, fixture: FuzzFixture): string {
  switch (choice) {
    case 'admin':
      return fixture.adminToken;
    case 'limited':
      return fixture.limitedToken;
    case 'other':
      return fixture.otherToken;
    case 'operator':
      return fixture.operatorToken;
    case 'app':
      return fixture.appToken;
    case 'jwt':
      return fixture.accessToken;
    case 'checksum':
      return WRONG_ADMIN;
    case 'malformed':
      return 'rk_adm_not-a-token';
    default:
      return '';
  }
}

function mutateToken(token: string, mutation: string): string {
  const middle = Math.floor(token.length / 2);
  switch (mutation) {
    case 'truncate':
      return token.slice(0, -5);
    case 'append':
      return `${token}x`;
    case 'flip':
      return token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1);
    case 'nul':
      return `${token}\u0000`;
    case 'latin1':
      return `${token}\u00ff`;
    case 'percent':
      return token.replace(/_/g, '%5F');
    default:
      return token;
  }
}

function basicHeader(auth: Extract<AuthPlan, { kind: 'basic' }>, fixture: FuzzFixture): string {
  const foreign = fixture.ids.find((id) => id.owner === 'other' && id.value.startsWith('cli_'))?.value ?? 'cli_other';
  const client = { apikey: fixture.apikey, oauth: fixture.oauth, integrator: fixture.integrator }[auth.client as 'apikey'];
  const id = client?.id ?? (auth.client === 'foreign' ? foreign : 'cli_garbage');
  const secret = auth.secret === 'real' ? (client?.secret ?? WRONG_SECRET) : auth.secret === 'wrong' ? WRONG_SECRET : 'x';
  const b64 = (bytes: Buffer | string): string => Buffer.from(bytes as string).toString('base64');
  switch (auth.encoding) {
    case 'percent-nul':
      return `Basic ${b64(`${id}%00:${secret}`)}`;
    case 'no-colon':
      return `Basic ${b64(`${id}${secret}`)}`;
    case 'bad-base64':
      return `Basic !${b64(`${id}:${secret}`)}=`;
    case 'huge':
      return `Basic ${b64(`${id}:${secret}${'a'.repeat(30_000)}`)}`;
    case 'surrogate':
      // An unpaired surrogate as its CESU-8 bytes, which a UTF-8 decoder must not accept silently.
      return `Basic ${Buffer.concat([Buffer.from(id), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`:${secret}`)]).toString('base64')}`;
    case 'percent-garbage':
      return `Basic ${b64(`%ZZ${id}:%${secret}`)}`;
    default:
      return `Basic ${b64(`${id}:${secret}`)}`;
  }
}

function signatureHeaders(mutation: string, fixture: FuzzFixture, wire: Wire): Array<[string, string]> {
  const url = `http://127.0.0.1:${wire.port}${wire.target}`;
  const keyId = mutation === 'foreign-keyid' ? (fixture.ids.find((id) => id.owner === 'other')?.value ?? 'cli_x') : fixture.integrator.id;
  let signed: Record<string, string>;
  try {
    signed = signRequest({
      method: wire.method,
      url,
      headers: wire.contentType !== undefined ? { 'content-type': wire.contentType } : {},
      ...(wire.body !== undefined && wire.contentType !== undefined ? { body: wire.body } : {}),
      keyId,
      secret: fixture.integrator.secret,
      ...(mutation === 'stale' ? { created: Math.floor(Date.now() / 1000) - 1000 } : {}),
    });
  } catch {
    signed = { 'signature-input': `sig1=("@method");keyid="${keyId}"`, signature: 'sig1=:AAAA:' };
  }
  let input = signed['signature-input']!;
  let signature = signed.signature!;
  const digest: Array<[string, string]> = signed['content-digest'] ? [['content-digest', signed['content-digest']]] : [];
  switch (mutation) {
    case 'truncated':
      signature = signature.replace(/:([^:]*):/, (_, value: string) => `:${value.slice(0, Math.max(0, value.length - 7))}:`);
      break;
    case 'reordered':
      input = input.replace(/\(([^)]*)\)/, (_, list: string) => `(${list.split(' ').reverse().join(' ')})`);
      break;
    case 'duplicated':
      return [...digest, ['signature-input', input], ['signature-input', input], ['signature', signature], ['signature', signature]];
    case 'two-labels':
      return [...digest, ['signature-input', `${input}, sig2=("@method");keyid="cli_x"`], ['signature', `${signature}, sig2=:AAAA:`]];
    case 'no-nonce':
      input = input.replace(/;nonce="[^"]*"/, '');
      break;
    case 'no-created':
      input = input.replace(/;created=\d+/, '');
      break;
    case 'escaped-keyid':
      input = input.replace(/keyid="[^"]*"/, 'keyid="cli_%00\\"\u00ff"');
      break;
    case 'bad-syntax':
      input = input.slice(0, Math.floor(input.length / 2));
      signature = 'sig1=:not base64!:';
      break;
    case 'signature-only':
      return [...digest, ['signature', signature]];
    case 'input-only':
      return [...digest, ['signature-input', input]];
    case 'wrong-alg':
      input = input.replace(/alg="[^"]*"/, 'alg="rsa-pss-sha512"');
      break;
    case 'huge':
      input = input.replace(/\(([^)]*)\)/, (_, list: string) => `(${list}${' "x-a"'.repeat(2000)})`);
      break;
  }
  return [...digest, ['signature-input', input], ['signature', signature]];
}

function oauth1Header(mutation: string, fixture: FuzzFixture, wire: Wire): string {
  const url = `http://127.0.0.1:${wire.port}${wire.target}`;
  let header: string;
  try {
    const isForm = wire.contentType === 'application/x-www-form-urlencoded' && wire.body !== undefined;
    header = buildOAuthHeader({
      method: wire.method,
      url,
      consumerKey: fixture.tba.consumerKey,
      consumerSecret: fixture.tba.consumerSecret,
      token: fixture.tba.tokenId,
      tokenSecret: fixture.tba.tokenSecret,
      realm: mutation === 'no-realm' ? undefined : mutation === 'other-realm' ? fixture.otherAccountId : fixture.accountId,
      signatureMethod: 'HMAC-SHA256',
      ...(isForm ? { formParams: [...new URLSearchParams(wire.body!.toString('latin1'))] } : {}),
      ...(wire.body !== undefined && !isForm ? { bodyHash: createHash('sha256').update(wire.body).digest('base64') } : {}),
      ...(mutation === 'stale' ? { timestampSeconds: Math.floor(Date.now() / 1000) - 1000 } : {}),
    });
  } catch {
    header = `OAuth realm="${fixture.accountId}", oauth_consumer_key="${fixture.tba.consumerKey}"`;
  }
  switch (mutation) {
    case 'truncated':
      return header.replace(/oauth_signature="([^"]*)"/, (_, value: string) => `oauth_signature="${value.slice(0, 10)}"`);
    case 'duplicated-param':
      return `${header}, oauth_nonce="again"`;
    case 'bad-version':
      return header.replace(/oauth_version="1.0"/, 'oauth_version="2.0"');
    case 'plaintext':
      return header.replace(/oauth_signature_method="[^"]*"/, 'oauth_signature_method="PLAINTEXT"');
    case 'bad-escape':
      return header.replace(/oauth_nonce="[^"]*"/, 'oauth_nonce="%ZZ%"');
    case 'nul':
      return header.replace(/oauth_token="[^"]*"/, 'oauth_token="tok_%00"');
    case 'garbage':
      return `OAuth ${header.slice(6).split(', ').reverse().join(',,')}=`;
    default:
      return header;
  }
}

import fc from 'fast-check';
import type { JsonSchema, Operation } from './operations.js';
import type { FuzzFixture, Owner } from './seed.js';

/**
 * A fuzz case is plain data (so fast-check can print and replay it); credentials whose value
 * depends on the moment and the exact request (RFC 9421, OAuth 1.0a) are made when it is sent.
 */
export interface FuzzCase {
  operation: number;
  method: string;
  /** Raw path segments for the operation's parameters, with whose id each is. */
  params: Array<{ raw: string; owner: Owner | null }>;
  /** Raw query string, `?` included, or empty. */
  query: string;
  auth: AuthPlan;
  body: BodyPlan;
  /** A body certain to be refused, used instead of `body` when the request could otherwise act. */
  refusedBody: BodyPlan;
  headers: Array<[string, string]>;
}

export type AuthPlan =
  | { kind: 'none' }
  | { kind: 'bearer'; token: BearerChoice; mutation: TokenMutation; scheme: string }
  | {
      kind: 'basic';
      client: 'apikey' | 'oauth' | 'integrator' | 'foreign' | 'garbage';
      secret: 'real' | 'wrong' | 'garbage';
      encoding: BasicEncoding;
    }
  | { kind: 'signature'; mutation: SignatureMutation }
  | { kind: 'oauth1'; mutation: OAuth1Mutation }
  | { kind: 'session'; cookie: 'real' | 'garbage' | 'duplicated' | 'nul' | 'other-csrf'; csrf: 'real' | 'missing' | 'wrong' | 'nul' }
  | { kind: 'raw'; values: string[] };

export type BearerChoice = 'admin' | 'limited' | 'other' | 'operator' | 'app' | 'jwt' | 'malformed' | 'checksum' | 'empty';
export type TokenMutation = 'none' | 'truncate' | 'append' | 'flip' | 'nul' | 'latin1' | 'percent';
export type BasicEncoding = 'plain' | 'percent-nul' | 'no-colon' | 'bad-base64' | 'huge' | 'surrogate' | 'percent-garbage';
export type SignatureMutation =
  | 'valid'
  | 'truncated'
  | 'reordered'
  | 'duplicated'
  | 'two-labels'
  | 'stale'
  | 'no-nonce'
  | 'no-created'
  | 'foreign-keyid'
  | 'escaped-keyid'
  | 'bad-syntax'
  | 'signature-only'
  | 'input-only'
  | 'wrong-alg'
  | 'huge';
export type OAuth1Mutation =
  | 'valid'
  | 'truncated'
  | 'no-realm'
  | 'other-realm'
  | 'duplicated-param'
  | 'bad-version'
  | 'plaintext'
  | 'bad-escape'
  | 'nul'
  | 'garbage'
  | 'stale';

export interface BodyPlan {
  /** Content-Type header to send, if any. */
  contentType?: string;
  /** The body bytes as latin1 text (one char per byte), or `oversized` for just over 1 MiB. */
  text?: string;
  oversized?: boolean;
  chunked?: boolean;
  /** The body is refused whatever the route and the credential (SPEC §5: validation before action). */
  certainRefusal: boolean;
}

/** Owners of the credential an auth plan presents, when it presents a working one. */
export function credentialOwner(auth: AuthPlan): Owner | 'operator' | null {
  switch (auth.kind) {
    case 'bearer':
      if (auth.mutation !== 'none') return null;
      if (auth.token === 'admin' || auth.token === 'limited' || auth.token === 'app' || auth.token === 'jwt') return 'main';
      if (auth.token === 'other') return 'other';
      if (auth.token === 'operator') return 'operator';
      return null;
    case 'basic':
      return auth.secret === 'real' && auth.encoding === 'plain' && auth.client !== 'garbage' && auth.client !== 'foreign' ? 'main' : null;
    case 'signature':
      // Any one verifying label authenticates (SPEC §4a), so a valid one beside a broken one still works.
      return auth.mutation === 'valid' || auth.mutation === 'duplicated' || auth.mutation === 'two-labels' ? 'main' : null;
    case 'oauth1':
      return auth.mutation === 'valid' ? 'main' : null;
    case 'session':
      return auth.cookie === 'real' || auth.cookie === 'duplicated' || auth.cookie === 'other-csrf' ? 'main' : null;
    case 'raw':
      // Raw values may carry a working credential beside a broken one (duplicated headers).
      return auth.values.some((value) => value.startsWith('\u0001')) ? 'main' : null;
    default:
      return null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** POSTs that answer about their input and change nothing guarded (SPEC §4, §5), whatever the credential. */
const READ_ONLY_POSTS = new Set([
  '/v1/whoami',
  '/v1/verify',
  '/v1/signed-urls',
  '/v1/signed-urls/verify',
  '/oauth/token',
  '/oauth/introspect',
]);

/**
 * Whether the request could act: an unsafe method, a working credential, and every id in the
 * path belonging to that credential's account. Such a request must carry a body certain to be
 * refused, so that "nothing changes" stays a property of bad input and not of luck.
 */
export function couldAct(fuzzCase: FuzzCase, operation: Operation): boolean {
  if (!UNSAFE.has(fuzzCase.method)) return false;
  if (fuzzCase.method === 'POST' && READ_ONLY_POSTS.has(operation.path)) return false;
  const owner = credentialOwner(fuzzCase.auth);
  if (owner === null) return false;
  return fuzzCase.params.every((param) => param.owner === owner || param.owner === 'any');
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Path segments no id has: every escape, NUL, unpaired surrogates (CESU-8), overlong UTF-8, sizes. */
const HOSTILE_SEGMENTS = [
  '%00',
  'cli_%00',
  '%ZZ',
  '%',
  '%2',
  '%2F',
  '%2f..%2f..%2fetc%2fpasswd',
  '..',
  '.',
  '%2e%2e',
  '%C0%80',
  '%C0%AF',
  '%ED%A0%80',
  '%ED%BF%BF',
  '%F4%90%80%80',
  '%FF',
  '%FE%FF',
  '%EF%BB%BF',
  '%E2%80%AE',
  '%F0%9F%94%91',
  '%C3%BC',
  '\u00c3\u00bc',
  '\u00ff\u00fe',
  '\u0000',
  'a\u0000b',
  '%20',
  '+',
  '%2B',
  ';',
  'a;b=c',
  '%3B',
  '%3F',
  '%23',
  '%5C',
  "'",
  '%27%20OR%201%3D1--',
  '%22',
  '%7B%7D',
  '*',
  '~',
  '%7E',
  'x'.repeat(300),
  'a'.repeat(5000),
  '%00'.repeat(2000),
  '%F0%9F%94%91'.repeat(500),
  'cli_' + 'A'.repeat(40),
  'ver_' + 'z'.repeat(40),
  'app_',
  'acme1_SB999',
  'ACME1',
  '0',
  '-1',
  '1e308',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
];

/** Strings no store can hold or that stress a parser: each used inside JSON and the query. */
const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ud83d',
  '\uffff',
  '\ufeff',
  '\u202e',
  '\u2028',
  '🔑',
  '',
  ' ',
  '\t\r\n',
  '%00',
  '%ZZ',
  '../..',
  '"',
  '\\',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>',
  'x'.repeat(10_000),
  'é'.repeat(2_000),
  'rk_sec_',
  'rk_adm_AAAA',
  'cli_%00',
];

/** JSON number texts: huge, negative, fractional, beyond double and integer precision. */
const HOSTILE_NUMBERS = [
  '-1',
  '0',
  '-0',
  '1.5',
  '9007199254740993',
  '-9007199254740993',
  '1e308',
  '-1e308',
  '1e400',
  '1e-400',
  '2147483648',
  '4294967296',
  '18446744073709551616',
  '99999999999999999999999999999999',
  '0.0000001',
];

const RAW = '\u0001RAW\u0001';
const raw = (text: string): string => `${RAW}${text}${RAW}`;
/** JSON.stringify, then the RAW markers replaced by their text (numbers JSON.stringify cannot write). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001RAW\\u0001(.*?)\\u0001RAW\\u0001"/g, (_, text: string) => text);
}

const latin1OfUtf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

// ---------------------------------------------------------------------------------------------
// Arbitraries

export function fuzzCaseArbitrary(operations: Operation[], fixture: FuzzFixture): fc.Arbitrary<FuzzCase> {
  const ids = fixture.ids;
  const realId = fc.constantFrom(...ids);
  const hostileSegment = fc.oneof(
    fc.constantFrom(...HOSTILE_SEGMENTS),
    realId.chain((id) =>
      fc.constantFrom(
        `${id.value}%00`,
        `${id.value}%2F..`,
        `${id.value}/`,
        id.value.toUpperCase(),
        `${id.value}~`,
        `${id.value}%20`,
        id.value.slice(0, -1),
      ),
    ),
    fc.string({ unit: 'binary', maxLength: 12 }).map((text) => encodeSegment(text)),
  );
  const param = fc.oneof(
    { weight: 3, arbitrary: realId.map((id) => ({ raw: encodeURIComponent(id.value), owner: id.owner as Owner | null })) },
    { weight: 2, arbitrary: hostileSegment.map((raw) => ({ raw, owner: null as Owner | null })) },
  );

  const stringValue = fc.oneof(
    { weight: 3, arbitrary: realId.map((id) => id.value) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('apikey', 'oauth', 'tba', 'integrator', 'Administrator', 'credentials.read', 'GET', fixture.adminEmail),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 16 }) },
    { weight: 1, arbitrary: fc.constantFrom('https://files.example/report.csv', fixture.signedUrl, 'http://127.0.0.1:9/hook') },
  );
  const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS).map(raw),
    fc.constantFrom<unknown>(null, true, false, [], {}, [null], { $ref: '#' }, { __proto__: null }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );

  const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  // Only a header map carries working credentials: a body field could be a leak report, which revokes.
  const headerValue = fc.oneof(
    stringValue,
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(
      basic(fixture.apikey.id, fixture.apikey.secret),
      basic(fixture.apikey.id, `rk_sec_${'A'.repeat(49)}`),
      basic(fixture.oauth.id, fixture.oauth.secret),
      `Bearer ${fixture.accessToken}`,
      `Bearer ${fixture.accessToken.slice(0, -3)}`,
      `OAuth realm="${fixture.accountId}", oauth_consumer_key="${fixture.tba.consumerKey}", oauth_token="${fixture.tba.tokenId}", oauth_signature="x"`,
      `sig1=("@method" "@target-uri");created=${Math.floor(Date.now() / 1000)};keyid="${fixture.integrator.id}";nonce="n"`,
      'sig1=:AAAA:',
      'sha-256=:AAAA:',
      'application/json',
    ),
  );
  const sources: ValueSources = { text: stringValue, header: headerValue };
  const schemaValue = (schema: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> => valueOf(schema, depth, sources);

  const queryArbitrary = (operation: Operation): fc.Arbitrary<string> => {
    const pair = fc.oneof(
      ...(operation.query.length > 0
        ? [
            fc.tuple(
              fc.constantFrom(...operation.query.map((entry) => entry.name)),
              fc.oneof(
                fc
                  .constantFrom(...operation.query)
                  .chain((entry) => schemaValue(entry.schema, 0).map((value) => encodeQueryValue(String(value)))),
                hostileValue.map((value) => encodeQueryValue(typeof value === 'string' ? value : toJsonText(value))),
                fc.constantFrom(...HOSTILE_SEGMENTS),
              ),
            ),
          ]
        : []),
      fc.tuple(
        fc.constantFrom('limit', 'cursor', 'profile', 'format', 'x', '__proto__', 'a[b]', '', '%00'),
        fc.constantFrom(...HOSTILE_SEGMENTS),
      ),
    );
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      {
        weight: 4,
        arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom('?', '??', '?&&&', '?=', '?limit', '?limit=1&limit=2', '?%00=%00', '?' + 'q='.repeat(3000), '?\u0000'),
      },
    );
  };

  const bodyArbitrary = (operation: Operation): fc.Arbitrary<BodyPlan> => {
    const schema = operation.body?.schema;
    const json = 'application/json';
    // Without a schema a route takes any JSON value; only broken JSON is certain to be refused there.
    const objectLike = schema?.type === 'object';
    const certain = (plan: Omit<BodyPlan, 'certainRefusal'>): BodyPlan => ({ ...plan, certainRefusal: true });
    const maybe = (plan: Omit<BodyPlan, 'certainRefusal'>): BodyPlan => ({ ...plan, certainRefusal: false });
    const valid = schemaValue(schema ?? { type: 'object' }, 0);
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant(maybe({})) },
      { weight: 3, arbitrary: valid.map((value) => maybe({ contentType: json, text: latin1OfUtf8(toJsonText(value)) })) },
      {
        weight: 5,
        arbitrary: fc
          .tuple(valid, hostileValue, fc.nat())
          .map(([value, hostile, at]) =>
            maybe({ contentType: json, text: latin1OfUtf8(toJsonText(replaceSomewhere(value, hostile, at))) }),
          ),
      },
      {
        weight: 3,
        arbitrary: fc.tuple(valid, fc.constantFrom(...HOSTILE_STRINGS.slice(0, 6)), fc.nat()).map(([value, hostile, at]) =>
          // A NUL or an unpaired surrogate in any string: SPEC §5 says no store holds it, so it is refused.
          // With no string to hold it, the body becomes that string, refused where a schema wants an object.
          hasString(value)
            ? certain({ contentType: json, text: latin1OfUtf8(toJsonText(replaceString(value, hostile, at))) })
            : { contentType: json, text: toJsonText(hostile), certainRefusal: schema?.type === 'object' },
        ),
      },
      ...(operation.strictBody
        ? [
            {
              weight: 2,
              arbitrary: fc
                .tuple(valid, fc.constantFrom('__fuzz', '__proto__', 'constructor', 'Name', ''), hostileValue)
                .map(([value, key, extra]) => certain({ contentType: json, text: latin1OfUtf8(withExtraField(value, key, extra)) })),
            },
          ]
        : []),
      {
        weight: 3,
        arbitrary: fc
          .constantFrom(
            '{',
            '{"name":',
            '{"name":"a",}',
            "{'name':'a'}",
            '{"name":"a"}}',
            '{"a":1}{"b":2}',
            '{"name":"\\ud800\\"}',
            '{"name":"\\x00"}',
            '{"name":"a\u0000"}',
            '{"a":NaN}',
            '{"a":Infinity}',
            '{"a":01}',
            '{"a":.5}',
            '{"a":+1}',
            '\u00ef\u00bb\u00bf{}',
            '{"name":"\u00ff\u00fe"}',
            '{"name":"\u00ed\u00a0\u0080"}',
            '{"name":"\u00c0\u0080"}',
            '{"__proto__":{"admin":true}}',
            '{"constructor":{"prototype":{"admin":true}}}',
            '/*x*/{}',
            '{}garbage',
            '\u0000',
            '{"a":"\\u0000"',
          )
          .map((text) => certain({ contentType: json, text })),
      },
      ...(objectLike
        ? [
            {
              weight: 2,
              arbitrary: fc
                .constantFrom('null', '[]', '[{}]', '1', '-1', '1e400', '"x"', '""', 'true', '"\\u0000"', '"\\ud800"')
                .map((text) => certain({ contentType: json, text })),
            },
            {
              weight: 1,
              arbitrary: fc
                .constantFrom(50, 1000, 20_000)
                .map((depth) => certain({ contentType: json, text: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) })),
            },
            {
              weight: 1,
              arbitrary: fc
                .constantFrom(50, 20_000)
                .map((depth) => certain({ contentType: json, text: '['.repeat(depth) + ']'.repeat(depth) })),
            },
          ]
        : []),
      { weight: 1, arbitrary: fc.constant(certain({ contentType: json, oversized: true })) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/json; charset=utf-16',
              'application/json; charset=latin1',
              'application/JSON',
              'application/json\u0000',
              'application/problem+json',
              'application/jsonx',
              '*/*',
              '',
              ';;;',
              'application/' + 'x'.repeat(2000),
            ),
            fc.oneof(
              valid.map((value) => toJsonText(value)),
              fc.constantFrom(
                'grant_type=client_credentials',
                `grant_type=client_credentials&client_id=${fixture.oauth.id}&client_secret=rk_sec_x`,
                'grant_type=client_credentials&grant_type=password',
                `client_id=${fixture.oauth.id}%00&client_secret=%ZZ`,
                'token=%00&token_type_hint=%ED%A0%80',
                `token=${'a'.repeat(5000)}`,
                'a=1&&&=&%=',
                '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
              ),
            ),
          )
          .map(([contentType, text]) => maybe({ contentType, text: latin1OfUtf8(text) })),
      },
      {
        weight: 1,
        arbitrary: valid.map((value) => maybe({ contentType: json, text: latin1OfUtf8(toJsonText(value)), chunked: true })),
      },
    );
  };

  const refusedBodyArbitrary = (operation: Operation): fc.Arbitrary<BodyPlan> =>
    fc.oneof(
      fc
        .constantFrom('{', '{"a":1,}', '{"a":"\\ud800"', '\u0000', '[', '{"a":1}}', "{'a':1}")
        .map((text): BodyPlan => ({ contentType: 'application/json', text, certainRefusal: true })),
      ...(operation.body?.schema?.type === 'object'
        ? [
            fc
              .constantFrom('null', '[]', '"x"', '1e400', 'true')
              .map((text): BodyPlan => ({ contentType: 'application/json', text, certainRefusal: true })),
          ]
        : []),
      ...(operation.strictBody
        ? [
            valueOf(operation.body!.schema, 0, sources).map((value): BodyPlan => ({
              contentType: 'application/json',
              text: latin1OfUtf8(withExtraField(value, '__fuzz', 1)),
              certainRefusal: true,
            })),
          ]
        : []),
    );

  const anyAuth = authArbitrary(fixture);
  const headers = headersArbitrary();

  return fc.integer({ min: 0, max: operations.length - 1 }).chain((index) => {
    const operation = operations[index]!;
    return fc.record({
      operation: fc.constant(index),
      method: fc.oneof(
        { weight: 20, arbitrary: fc.constant(operation.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'FUZZ', 'get') },
      ),
      params: fc.tuple(...operation.pathParams.map(() => param)),
      query: queryArbitrary(operation),
      // Half the cases present the credential the route takes, so the input reaches its validation.
      auth: fc.oneof(rightAuthArbitrary(operation), anyAuth),
      body: bodyArbitrary(operation),
      refusedBody: refusedBodyArbitrary(operation),
      headers,
    });
  });
}

function authArbitrary(fixture: FuzzFixture): fc.Arbitrary<AuthPlan> {
  const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<AuthPlan>({ kind: 'none' }) },
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant('bearer' as const),
        token: fc.constantFrom<BearerChoice>(
          'admin',
          'admin',
          'admin',
          'limited',
          'other',
          'operator',
          'app',
          'jwt',
          'malformed',
          'checksum',
          'empty',
        ),
        mutation: fc.oneof(
          { weight: 6, arbitrary: fc.constant<TokenMutation>('none') },
          { weight: 2, arbitrary: fc.constantFrom<TokenMutation>('truncate', 'append', 'flip', 'nul', 'latin1', 'percent') },
        ),
        scheme: fc.constantFrom('Bearer', 'Bearer', 'Bearer', 'bearer', 'BEARER', 'Bearer  ', 'Token', 'Bearer\t'),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('basic' as const),
        client: fc.constantFrom('apikey', 'oauth', 'integrator', 'foreign', 'garbage'),
        secret: fc.constantFrom('real', 'wrong', 'garbage'),
        encoding: fc.constantFrom<BasicEncoding>(
          'plain',
          'plain',
          'percent-nul',
          'no-colon',
          'bad-base64',
          'huge',
          'surrogate',
          'percent-garbage',
        ),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('signature' as const),
        mutation: fc.constantFrom<SignatureMutation>(
          'valid',
          'truncated',
          'reordered',
          'duplicated',
          'two-labels',
          'stale',
          'no-nonce',
          'no-created',
          'foreign-keyid',
          'escaped-keyid',
          'bad-syntax',
          'signature-only',
          'input-only',
          'wrong-alg',
          'huge',
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('oauth1' as const),
        mutation: fc.constantFrom<OAuth1Mutation>(
          'valid',
          'truncated',
          'no-realm',
          'other-realm',
          'duplicated-param',
          'bad-version',
          'plaintext',
          'bad-escape',
          'nul',
          'garbage',
          'stale',
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('session' as const),
        cookie: fc.constantFrom('real', 'real', 'garbage', 'duplicated', 'nul', 'other-csrf'),
        csrf: fc.constantFrom('real', 'missing', 'wrong', 'nul'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.constantFrom(
            // \u0001 marks a working credential among the values (see credentialOwner).
            `\u0001Bearer ${fixture.adminToken}`,
            `\u0001${basic(fixture.apikey.id, fixture.apikey.secret)}`,
            'Bearer',
            'Basic',
            'OAuth',
            'Signature',
            'Digest username="x"',
            'Bearer rk_adm_' + 'A'.repeat(10_000),
            'Basic ' + 'A'.repeat(20_000),
            basic(fixture.apikey.id, ''),
            basic('', fixture.apikey.secret),
            basic(`${fixture.apikey.id}%00`, 'x'),
            basic('%ZZ', '%ZZ'),
            'Basic =',
            'Basic ====',
            'Basic !!!',
            'Bearer \u00ff\u00fe',
            'Bearer a b c',
            'OAuth realm="acme1", oauth_consumer_key="%00"',
            `OAuth realm="${fixture.accountId}", oauth_consumer_key="${fixture.tba.consumerKey}", oauth_token="${fixture.tba.tokenId}"`,
            'OAuth realm="\u0000"',
            'OAuth ,,,,=,"',
            'OAuth realm="a\\"b"',
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((values): AuthPlan => ({ kind: 'raw', values })),
    },
  );
}

/** A working credential of the kind the operation takes (none for the public ones). */
function rightAuthArbitrary(operation: Operation): fc.Arbitrary<AuthPlan> {
  const admin: AuthPlan = { kind: 'bearer', token: 'admin', mutation: 'none', scheme: 'Bearer' };
  const session: AuthPlan = { kind: 'session', cookie: 'real', csrf: 'real' };
  const signature: AuthPlan = { kind: 'signature', mutation: 'valid' };
  const oauth1: AuthPlan = { kind: 'oauth1', mutation: 'valid' };
  const basic = (client: 'apikey' | 'oauth'): AuthPlan => ({ kind: 'basic', client, secret: 'real', encoding: 'plain' });
  const bearer = (token: BearerChoice): AuthPlan => ({ kind: 'bearer', token, mutation: 'none', scheme: 'Bearer' });
  const path = operation.path;
  if (path.startsWith('/v1/integrator/')) return fc.constant(signature);
  if (path === '/v1/app/credentials') return fc.constant(bearer('app'));
  if (path === '/v1/accounts') return fc.constant(bearer('operator'));
  if (path === '/v1/whoami') return fc.constantFrom(basic('apikey'), basic('oauth'), signature, oauth1, bearer('jwt'), admin);
  if (path.startsWith('/oauth/')) return fc.constant(basic('oauth'));
  if (operation.security.includes('adminToken')) return fc.constantFrom(admin, admin, admin, session);
  return fc.constant<AuthPlan>({ kind: 'none' });
}

function headersArbitrary(): fc.Arbitrary<Array<[string, string]>> {
  const header = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['x-fuzz', 'x'.repeat(8_000)],
      ['x-fuzz', 'x'.repeat(20_000)],
      ['cookie', 'rekey_session=' + 'A'.repeat(4000)],
      ['cookie', 'rekey_session=%00; rekey_session=%ZZ; rekey_csrf=\u00ff'],
      ['x-csrf-token', '\u0000'],
      ['x-csrf-token', 'x'.repeat(5000)],
      ['idempotency-key', '\u00ff\u00fe'],
      ['idempotency-key', 'k'.repeat(5000)],
      ['idempotency-key', '%00'],
      ['idempotency-key', ''],
      ['rekey-app-id', '%00'],
      ['rekey-app-id', 'app_' + 'x'.repeat(3000)],
      ['user-agent', '\u00ff'.repeat(1000)],
      ['x-forwarded-for', '1.2.3.4, ::1, garbage, ' + '9'.repeat(200)],
      ['x-forwarded-proto', 'gopher'],
      ['forwarded', 'for="[::1]";proto=https;host=evil'],
      ['accept', 'text/html'],
      ['accept', '\u0000/\u0000'],
      ['accept-encoding', 'gzip;q=1e400, br;q=-1'],
      ['content-digest', 'sha-256=:AAAA:'],
      ['content-digest', 'sha-256=::, sha-512=:x:'],
      ['signature-input', 'sig1=("@method"'],
      ['content-length', '0'],
      ['content-length', '-1'],
      ['content-length', '1, 2'],
      ['content-length', '99999999999999999999'],
      ['transfer-encoding', 'gzip'],
      ['transfer-encoding', 'chunked, chunked'],
      ['host', 'evil.example'],
      ['expect', 'fuzz'],
      ['range', 'bytes=0-1,2-3,' + '4-5,'.repeat(500)],
      ['if-none-match', '*'],
      ['origin', 'null'],
      ['content-encoding', 'gzip'],
      ['content-type', 'application/json'],
      ['content-type', 'text/plain'],
      ['authorization', 'Bearer'],
      ['authorization', 'Basic Og=='],
      ['\u0000x', 'y'],
      ['x y', 'z'],
      ['x-fuzz', 'a\rb'],
    ),
    fc.integer({ min: 50, max: 300 }).map((count): [string, string] => ['x-many', 'v'.repeat(count)]),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<Array<[string, string]>>([]) },
    { weight: 3, arbitrary: fc.array(header, { minLength: 1, maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 100, max: 400 })
        .map((count) => Array.from({ length: count }, (_, i): [string, string] => [`x-h${i}`, 'v'])),
    },
  );
}

/** Strings for a generated value: any text, and header values (credentials included) for a header map. */
interface ValueSources {
  text: fc.Arbitrary<string>;
  header: fc.Arbitrary<string>;
}

function valueOf(schema: JsonSchema | undefined, depth: number, sources: ValueSources): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant({});
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union && union.length > 0) return fc.oneof(...union.map((part) => valueOf(part, depth + 1, sources)));
  if (schema.allOf && schema.allOf.length > 0) return valueOf(schema.allOf[0], depth + 1, sources);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(properties);
      if (entries.length === 0 && typeof schema.additionalProperties === 'object') {
        // A map of request headers (POST /v1/verify): what a resource server forwards.
        const names = fc.constantFrom('authorization', 'signature', 'signature-input', 'content-digest', 'content-type', 'cookie', 'x-any');
        return fc.dictionary(names, sources.header, { maxKeys: 4 });
      }
      if (entries.length === 0) return fc.constant({});
      return fc.record(Object.fromEntries(entries.map(([key, value]) => [key, valueOf(value, depth + 1, sources)])), {
        requiredKeys: entries.map(([key]) => key).filter((key) => required.has(key)),
      });
    }
    case 'array':
      return fc.array(valueOf(schema.items, depth + 1, sources), { maxLength: 3 });
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -10, -1e6), max: Math.min(schema.maximum ?? 100_000, 1e9) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      return sources.text;
    default:
      return fc.constant('x');
  }
}

/** The value with the `at`-th node (root included) replaced by `hostile`. */
function replaceSomewhere(value: unknown, hostile: unknown, at: number): unknown {
  const paths = nodePaths(value, []);
  return setAt(value, paths[at % paths.length]!, hostile);
}

function replaceString(value: unknown, hostile: string, at: number): unknown {
  const paths = nodePaths(value, []).filter((path) => typeof getAt(value, path) === 'string');
  return setAt(value, paths[at % paths.length]!, hostile);
}

function hasString(value: unknown): boolean {
  return nodePaths(value, []).some((path) => typeof getAt(value, path) === 'string');
}

function nodePaths(value: unknown, prefix: Array<string | number>): Array<Array<string | number>> {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...nodePaths(item, [...prefix, index])));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) paths.push(...nodePaths(item, [...prefix, key]));
  return paths;
}

function getAt(value: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], value);
}

function setAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, replacement);
  return copy;
}

function withExtraField(value: unknown, key: string, extra: unknown): string {
  const base = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const text = toJsonText(base);
  const field = `${JSON.stringify(key)}:${toJsonText(extra)}`;
  return text === '{}' ? `{${field}}` : `${text.slice(0, -1)},${field}}`;
}

/** A path segment for any string: percent-encoded UTF-8, lone surrogates as their CESU-8 bytes. */
function encodeSegment(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    } else out += encodeURIComponent(char);
  }
  return out;
}

function encodeQueryValue(text: string): string {
  return encodeSegment(text);
}

import { runCli } from '../cli.js';
import { send, type Rekey, type RequestOptions, type TestResponse } from '../harness.js';

/**
 * Who an id belongs to: the fuzzed account (`main`, its sandbox included), the unrelated
 * account (`other`), or `any` for ids meant to cross accounts (a published bundle).
 */
export type Owner = 'main' | 'other' | 'any';

export interface SeededId {
  value: string;
  owner: Owner;
}

/** Everything the fuzz needs to reach real resources: real ids and one working credential per method. */
export interface FuzzFixture {
  accountId: string;
  otherAccountId: string;
  adminEmail: string;
  ids: SeededId[];
  adminToken: string;
  limitedToken: string;
  otherToken: string;
  operatorToken: string;
  appToken: string;
  accessToken: string;
  apikey: { id: string; secret: string };
  oauth: { id: string; secret: string };
  integrator: { id: string; secret: string };
  tba: { consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string };
  session: { cookie: string; csrf: string };
  signedUrl: string;
}

export const FUZZ_PASSWORD = 'fuzz member password';

/**
 * Gives `rekey` the data a real tenant has — members and a custom role, admin tokens, a client of
 * every profile (one with a version in grace, one deleted), a tba token and a bundle installed by
 * the other account, an app with a slot, deployed, with its token, a webhook, a sandbox, a session,
 * a registration (portal), an OAuth access token — and something in the other account too.
 */
export async function seedFixture(rekey: Rekey): Promise<FuzzFixture> {
  const ids: SeededId[] = [];
  const call = async (method: string, path: string, options: RequestOptions = {}, expected = [200, 201]): Promise<TestResponse> => {
    const response = await rekey.request(method, path, options);
    if (!expected.includes(response.status)) throw new Error(`seed ${method} ${path}: ${response.status} ${response.text}`);
    return response;
  };
  const keep = (owner: Owner, ...values: Array<string | undefined>): void => {
    for (const value of values) if (value) ids.push({ value, owner });
  };

  keep('main', rekey.main.accountId, rekey.main.memberId, 'Administrator');
  keep('other', rekey.other.accountId, rekey.other.memberId);

  await call('POST', '/v1/roles', { body: { name: 'Helpdesk', permissions: ['credentials.read'] } });
  keep('main', 'Helpdesk');
  const adminEmail = 'ops@acme.test';
  const ops = (await call('POST', '/v1/members', { body: { email: adminEmail, roles: ['Administrator'], password: FUZZ_PASSWORD } })).json;
  const help = (await call('POST', '/v1/members', { body: { email: 'help@acme.test', roles: ['Helpdesk'] } })).json;
  keep('main', ops.id, help.id);

  const limited = (await call('POST', '/v1/admin-tokens', { body: { name: 'reader', permissions: ['credentials.read'] } })).json;
  keep('main', limited.id);

  const client = async (profile: string, name: string, token?: string): Promise<Record<string, string>> =>
    (await call('POST', '/v1/clients', { body: { profile, name }, ...(token ? { token } : {}) })).json;
  const apikey = await client('apikey', 'Billing key');
  const oauth = await client('oauth', 'Reporting');
  const integrator = await client('integrator', 'Partner');
  const tba = await client('tba', 'Shipping');
  const graced = await client('apikey', 'Graced key');
  const rotated = (await call('POST', `/v1/clients/${graced.id}/regenerate`, { body: { graceSeconds: 86_400 } })).json;
  const gone = await client('apikey', 'Deleted key');
  await call('DELETE', `/v1/clients/${gone.id}`, {}, [204]);
  keep('main', apikey.id, apikey.versionId, oauth.id, oauth.versionId, integrator.id, integrator.versionId, tba.id, tba.consumerKey);
  keep('main', graced.id, graced.versionId, rotated.versionId, gone.id, gone.versionId);

  const token = (await call('POST', `/v1/clients/${tba.id}/tokens`, { body: { memberId: ops.id, role: 'Administrator' } })).json;
  keep('main', token.tokenId);
  const bundle = (await call('POST', `/v1/clients/${tba.id}/bundles`, { body: {} })).json;
  keep('any', bundle.bundleId);
  const installed = (await call('POST', `/v1/bundles/${bundle.bundleId}/install`, { token: rekey.other.token, body: {} })).json;
  keep('other', installed.id);

  const app = (await call('POST', '/v1/apps', { body: { name: 'billing', config: { apiKeyId: apikey.id } } })).json;
  await call('PUT', `/v1/apps/${app.id}/secrets/BILLING_KEY`, { body: { keyAccountId: apikey.id, value: apikey.secret } });
  await call('POST', `/v1/apps/${app.id}/deploy`, { body: {} });
  const appToken = (await call('POST', `/v1/apps/${app.id}/token`, { body: {} })).json.appToken as string;
  keep('main', app.id, 'BILLING_KEY');

  const webhook = (await call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook' } })).json;
  keep('main', webhook.id);
  const sandbox = (await call('POST', `/v1/accounts/${rekey.main.accountId}/sandboxes`, { body: {} })).json;
  keep('main', sandbox.accountId);

  const signIn = await send(rekey.url, 'POST', '/v1/sessions', {
    token: null,
    body: { accountId: rekey.main.accountId, email: adminEmail, password: FUZZ_PASSWORD },
  });
  if (signIn.status !== 201) throw new Error(`seed sign-in: ${signIn.status} ${signIn.text}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .join('; ');
  keep('main', signIn.json.sessionId);

  await call('POST', '/v1/register', {
    token: null,
    body: { companyId: rekey.main.accountId, email: adminEmail, password: FUZZ_PASSWORD },
  });
  const signed = (
    await call('POST', '/v1/signed-urls', { body: { url: 'https://files.example/report.csv', method: 'GET', ttlSeconds: 86_400 } })
  ).json;

  const tokenResponse = await send(rekey.url, 'POST', '/oauth/token', {
    token: null,
    rawBody: 'grant_type=client_credentials',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${oauth.id}:${oauth.secret}`).toString('base64')}`,
    },
  });
  if (tokenResponse.status !== 200) throw new Error(`seed token: ${tokenResponse.status} ${tokenResponse.text}`);

  const theirs = await client('apikey', 'Their key', rekey.other.token);
  const theirApp = (await call('POST', '/v1/apps', { token: rekey.other.token, body: { name: 'theirs' } })).json;
  const theirHook = (await call('POST', '/v1/webhooks', { token: rekey.other.token, body: { url: 'http://127.0.0.1:9/theirs' } })).json;
  keep('other', theirs.id, theirs.versionId, theirApp.id, theirHook.id);

  const operator = await runCli(['operator-tokens', 'create', '--name', 'fuzz', '--json'], rekey.env);
  if (operator.code !== 0) throw new Error(`seed operator token: ${operator.stderr}`);

  const fixture: FuzzFixture = {
    accountId: rekey.main.accountId,
    otherAccountId: rekey.other.accountId,
    adminEmail,
    ids,
    adminToken: rekey.main.token,
    limitedToken: limited.token,
    otherToken: rekey.other.token,
    operatorToken: (JSON.parse(operator.stdout) as { token: string }).token,
    appToken,
    accessToken: tokenResponse.json.access_token,
    apikey: { id: apikey.id!, secret: apikey.secret! },
    oauth: { id: oauth.id!, secret: oauth.secret! },
    integrator: { id: integrator.id!, secret: integrator.secret! },
    tba: { consumerKey: tba.consumerKey!, consumerSecret: tba.consumerSecret!, tokenId: token.tokenId, tokenSecret: token.tokenSecret },
    session: { cookie, csrf: signIn.json.csrfToken },
    signedUrl: signed.url,
  };
  const missing = JSON.stringify(fixture, (_key, value: unknown) => (value === undefined ? '<missing>' : value));
  if (missing.includes('<missing>') || ids.some((id) => !id.value)) throw new Error(`seed: something is missing: ${missing}`);
  return fixture;
}

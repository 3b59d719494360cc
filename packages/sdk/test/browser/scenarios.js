// Runs inside Chromium, loaded as a native ES module from the built package (packages/sdk/dist)
// through an import map: what a browser app without a bundler would do. Each function returns
// plain data for browser.test.ts to check. The page is served from Rekey's own origin.
import {
  createControlClient,
  createSignedUrlVerifier,
  regenerateIntegratorSecret,
  RekeyApiError,
  signedFetch,
  signRequest,
} from '@rekey/sdk';

const errorFields = (error) =>
  error instanceof RekeyApiError
    ? {
        isRekeyApiError: true,
        name: error.name,
        status: error.status,
        code: error.code,
        title: error.title,
        detail: error.detail,
        requestId: error.requestId,
        errors: error.errors,
      }
    : { isRekeyApiError: false, message: String(error) };

export function environment() {
  return {
    hasProcess: typeof globalThis.process !== 'undefined',
    hasBuffer: typeof globalThis.Buffer !== 'undefined',
    userAgent: navigator.userAgent,
    origin: location.origin,
  };
}

export async function signVectors(vectors) {
  const out = [];
  for (const vector of vectors) {
    const headers = await signRequest({
      method: vector.request.method,
      url: vector.request.url,
      headers: vector.request.headers,
      ...(vector.request.body !== undefined ? { body: vector.request.body } : {}),
      keyId: vector.keyId,
      secret: vector.secret,
      nonce: vector.nonce,
      created: vector.created,
      ...(vector.expires !== undefined ? { expires: vector.expires } : {}),
      label: vector.label,
    });
    out.push({ name: vector.name, ...headers });
  }
  return out;
}

export async function signedRequests(credentials) {
  const whoami = await signedFetch(credentials, `${location.origin}/v1/whoami?from=browser`);
  const withBody = await signedFetch(credentials, `${location.origin}/v1/whoami`, {
    method: 'POST',
    body: JSON.stringify({ hello: 'from the browser' }),
  });
  const rotated = await regenerateIntegratorSecret(location.origin, credentials, 0);
  const stale = await signedFetch(credentials, `${location.origin}/v1/whoami`);
  const fresh = await signedFetch({ clientId: credentials.clientId, secret: rotated.secret }, `${location.origin}/v1/whoami`);
  const refused = await regenerateIntegratorSecret(location.origin, credentials).catch(errorFields);
  return {
    whoami: { status: whoami.status, body: await whoami.json() },
    withBody: { status: withBody.status, body: await withBody.json() },
    rotatedSecretPrefix: rotated.secret.slice(0, 7),
    stale: { status: stale.status, body: await stale.json() },
    fresh: { status: fresh.status },
    refused,
  };
}

export async function signedUrls({ adminToken, url }) {
  const verifier = createSignedUrlVerifier({ url: location.origin, adminToken });
  return {
    valid: await verifier.verify(url),
    cached: await verifier.verify(url, 'get'),
    tampered: await verifier.verify(url.replace('q3', 'q4')),
    otherMethod: await verifier.verify(url, 'DELETE'),
  };
}

export async function controlApi({ adminToken }) {
  const control = createControlClient({ url: location.origin, adminToken });
  const created = await control.createClient({ profile: 'apikey', name: 'Made in a browser' });
  const regenerated = await control.regenerate(created.id, { graceSeconds: 30 }, { idempotencyKey: 'browser-1' });
  const again = await control.regenerate(created.id, { graceSeconds: 30 }, { idempotencyKey: 'browser-1' });
  const viewed = await control.getClient(created.id);
  const verdict = await control.verify({
    method: 'GET',
    url: 'https://api.example/x',
    headers: { authorization: `Basic ${btoa(`${created.id}:${regenerated.secret}`)}` },
  });
  await control.deleteClient(created.id);
  const afterDelete = await control.getClient(created.id);
  const notFound = await control.getClient('cli_nope').catch(errorFields);
  const invalid = await control.createClient({ profile: 'apikey', name: '' }).catch(errorFields);
  return {
    created: { id: created.id, profile: created.profile, hasSecret: typeof created.secret === 'string' },
    sameRegeneration: again.secret === regenerated.secret,
    viewedVersions: viewed.versions.length,
    verdict,
    afterDelete: afterDelete.state,
    notFound,
    invalid,
  };
}

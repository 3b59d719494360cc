import { describe, expect, it } from 'vitest';
import { clientCredentialsOf, formDecode, parseOAuthForm } from './client-credentials.js';
import { OAuthError } from './oauth-error.js';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
const errorOf = (work: () => unknown): { error: string; status: number } => {
  try {
    work();
  } catch (error) {
    if (error instanceof OAuthError) return { error: error.error, status: error.status };
    throw error;
  }
  throw new Error('expected an OAuthError');
};

describe('formDecode (RFC 6749 §2.3.1)', () => {
  it('decodes + and %XX', () => {
    expect(formDecode('a+b%2Bc%5F')).toBe('a b+c_');
  });
  it('returns null for malformed %-sequences and invalid UTF-8', () => {
    for (const bad of ['%', 'a%2', '%zz', '%E0%A4%A', '%FF']) expect(formDecode(bad)).toBeNull();
  });
});

describe('parseOAuthForm', () => {
  it('treats empty values as omitted and refuses duplicates', () => {
    expect([...parseOAuthForm('grant_type=client_credentials&scope=')]).toEqual([['grant_type', 'client_credentials']]);
    expect(errorOf(() => parseOAuthForm('a=1&a=2'))).toEqual({ error: 'invalid_request', status: 400 });
    expect(errorOf(() => parseOAuthForm('a=&a='))).toEqual({ error: 'invalid_request', status: 400 });
    expect(parseOAuthForm(undefined).size).toBe(0);
  });
});

describe('clientCredentialsOf', () => {
  it('reads client_secret_basic with form-decoding, and client_secret_post', () => {
    expect(clientCredentialsOf(basic('cli%5Fa:s+1%21'), new Map())).toEqual({
      method: 'client_secret_basic',
      clientId: 'cli_a',
      secret: 's 1!',
    });
    expect(
      clientCredentialsOf(
        undefined,
        new Map([
          ['client_id', 'cli_a'],
          ['client_secret', 's'],
        ]),
      ),
    ).toEqual({ method: 'client_secret_post', clientId: 'cli_a', secret: 's' });
    expect(clientCredentialsOf(basic('cli_a:s'), new Map([['client_id', 'cli_a']])).method).toBe('client_secret_basic');
  });
  it('refuses two methods at once with invalid_request', () => {
    expect(errorOf(() => clientCredentialsOf(basic('cli_a:s'), new Map([['client_secret', 's']])))).toEqual({
      error: 'invalid_request',
      status: 400,
    });
    expect(errorOf(() => clientCredentialsOf(basic('cli_a:s'), new Map([['client_id', 'cli_b']])))).toEqual({
      error: 'invalid_request',
      status: 400,
    });
  });
  it('answers malformed Basic headers and missing credentials with 401 invalid_client', () => {
    for (const header of [
      basic('no-colon'),
      basic('cli%:s'),
      basic('cli:%G1'),
      basic(':s'),
      basic('cli:'),
      'Basic',
      'Basic ***',
      'Basic a',
      'Bearer x',
      'Basic YQ==x',
    ]) {
      expect(errorOf(() => clientCredentialsOf(header, new Map()))).toEqual({ error: 'invalid_client', status: 401 });
    }
    expect(errorOf(() => clientCredentialsOf(undefined, new Map()))).toEqual({ error: 'invalid_client', status: 401 });
    expect(errorOf(() => clientCredentialsOf(undefined, new Map([['client_secret', 's']])))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
  });
});

import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseReporterPublicKey, verifyReportSignature } from './secret-scanning-report.js';

describe('secret-scanning report signatures', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keys = [{ id: 'key-1', publicKey: parseReporterPublicKey(pem) }];
  const body = Buffer.from('[{"token":"x","type":"t","url":"https://github.com/o/r/blob/1/f","source":"content"}]');
  const signature = sign('sha256', body, { key: pair.privateKey, dsaEncoding: 'der' }).toString('base64');

  it('accepts a DER ECDSA P-256 / SHA-256 signature over the exact raw body', () => {
    expect(verifyReportSignature(keys, 'key-1', signature, body)).toBe('ok');
  });

  it('refuses a changed body, another key, an unknown key id and signatures that are not base64 DER', () => {
    expect(verifyReportSignature(keys, 'key-1', signature, Buffer.concat([body, Buffer.from(' ')]))).toBe('bad_signature');
    expect(verifyReportSignature(keys, 'key-2', signature, body)).toBe('unknown_key');
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const foreign = sign('sha256', body, { key: other.privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(verifyReportSignature(keys, 'key-1', foreign, body)).toBe('bad_signature');
    const p1363 = sign('sha256', body, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
    expect(verifyReportSignature(keys, 'key-1', p1363, body)).toBe('bad_signature');
    for (const junk of ['', 'not base64!', 'AAAA', 'x'.repeat(500)])
      expect(verifyReportSignature(keys, 'key-1', junk, body)).toBe('bad_signature');
  });

  it('reads only PEM SPKI keys on P-256', () => {
    expect(() => parseReporterPublicKey('nonsense')).toThrow(/PEM/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseReporterPublicKey(p384)).toThrow(/P-256/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseReporterPublicKey(ed)).toThrow(/P-256/);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../core/oauth/index.js';
import { createAccessTokenSigner, type AccessTokenSigner } from './access-token-signer.js';
import { createSigningBatch, MAX_BATCH } from './signing-batch.js';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createAccessTokenSigner('ES256', pair.privateKey.export({ format: 'jwk' }), 'k1');

const claimsFor = (jti: string): AccessTokenClaims => ({
  iss: 'https://rekey.example.test',
  sub: 'cli_x',
  aud: 'https://rekey.example.test',
  client_id: 'cli_x',
  scope: 'read',
  jti,
  iat: 1_800_000_000,
  exp: 1_800_000_600,
  rk_ver: 'ver_x',
});

/** A scheduler the test runs by hand: each call to `turn()` runs what was scheduled so far. */
function manualSchedule(): { schedule: (run: () => void) => void; turn: () => number; waiting: () => number } {
  let scheduled: Array<() => void> = [];
  return {
    schedule: (run) => {
      scheduled.push(run);
    },
    turn: () => {
      const runs = scheduled;
      scheduled = [];
      for (const run of runs) run();
      return runs.length;
    },
    waiting: () => scheduled.length,
  };
}

describe('signing batch', () => {
  it('signs every token requested in one turn in a single run, in order, each a valid JWT with its own claims', async () => {
    const clock = manualSchedule();
    const batch = createSigningBatch(clock.schedule);
    const promises = Array.from({ length: 20 }, (_, index) => batch.sign(signer, claimsFor(`tok_${index}`)));
    expect(batch.pending()).toBe(20);
    expect(clock.waiting()).toBe(1);
    expect(clock.turn()).toBe(1);
    expect(batch.pending()).toBe(0);
    const tokens = await Promise.all(promises);
    const publicKey = await importJWK(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>, 'ES256');
    for (const [index, token] of tokens.entries()) {
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
        algorithms: ['ES256'],
        currentDate: new Date(1_800_000_000_000),
      });
      expect(payload.jti).toBe(`tok_${index}`);
      expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
    }
    expect(clock.waiting()).toBe(0);
  });

  it('nothing is signed before the turn ends; with the default scheduler the token arrives right after it', async () => {
    const batch = createSigningBatch();
    let settled = false;
    const promise = batch.sign(signer, claimsFor('tok_a')).then((token) => {
      settled = true;
      return token;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(batch.pending()).toBe(1);
    expect(await promise).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{86}$/);
    expect(batch.pending()).toBe(0);
  });

  it('a signer that throws fails its own token only', async () => {
    const clock = manualSchedule();
    const batch = createSigningBatch(clock.schedule);
    const broken: AccessTokenSigner = {
      kid: 'bad',
      alg: 'ES256',
      sign: () => {
        throw new Error('key unusable');
      },
    };
    const first = batch.sign(signer, claimsFor('tok_1'));
    const failing = batch.sign(broken, claimsFor('tok_2'));
    const last = batch.sign(signer, claimsFor('tok_3'));
    clock.turn();
    await expect(failing).rejects.toThrow('key unusable');
    await expect(first).resolves.toMatch(/^eyJ/);
    await expect(last).resolves.toMatch(/^eyJ/);
  });

  it(`signs at most ${MAX_BATCH} per turn and leaves the rest, in order, to the next turn`, async () => {
    const clock = manualSchedule();
    let signed = 0;
    const counting: AccessTokenSigner = { kid: 'k', alg: 'ES256', sign: (claims) => `${++signed}:${claims.jti}` };
    const batch = createSigningBatch(clock.schedule);
    const promises = Array.from({ length: MAX_BATCH + 10 }, (_, index) => batch.sign(counting, claimsFor(`tok_${index}`)));
    clock.turn();
    expect(signed).toBe(MAX_BATCH);
    expect(batch.pending()).toBe(10);
    // A token requested now joins the waiting ones; it schedules nothing more.
    promises.push(batch.sign(counting, claimsFor('late')));
    expect(clock.waiting()).toBe(1);
    clock.turn();
    expect(signed).toBe(MAX_BATCH + 11);
    const tokens = await Promise.all(promises);
    expect(tokens.at(-1)).toBe(`${MAX_BATCH + 11}:late`);
    expect(tokens.map((token) => Number(token.split(':')[0]))).toEqual(tokens.map((_, index) => index + 1));
    // The queue is empty again: the next token starts a new batch.
    void batch.sign(counting, claimsFor('next'));
    expect(clock.waiting()).toBe(1);
  });
});

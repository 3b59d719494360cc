import { randomBytes } from 'node:crypto';
import { type InnerList, parseDictionary, serializeInnerList } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { readCanonicalSignatureFields } from './canonical-fields.js';
import { parseMessageSignature } from './parse-signed-request.js';
import { buildSignatureBase } from './signature-base.js';

// A seeded generator, so a failure names an input that can be rebuilt.
function generator(seed: number): (n: number) => number {
  // mulberry32: every bit of its output is usable (an LCG's low bits repeat with short periods).
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

const LABELS = ['sig1', 'a', 'x*-._9', '*', 'sig', 'Sig1', '1sig'];
const COMPONENTS = ['@method', '@target-uri', 'content-digest', 'content-type', "x'y", 'with space', 'semi;colon', 'par(en)', 'comma,'];
const STRINGS = ['cli_Q6NzqT4DM7TxApyOoKPiJm', 'hmac-sha256', '', ' ', 'a;b=c', '(x)', 'a,b', '=', ':', '~`!@#$%^&*'];
const INTEGERS = ['0', '1796504300', '-5', '999999999999999'];
const KEYS = ['created', 'keyid', 'nonce', 'alg', 'expires', 'tag', 'x*'];

/** A field pair in canonical form, then, half the time, one change that may or may not keep it so. */
function sample(next: (n: number) => number): { input: string; signature: string } {
  const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
  const label = pick(LABELS);
  const components = Array.from({ length: next(4) }, () => `"${pick(COMPONENTS)}"`).join(' ');
  const params = Array.from({ length: next(6) }, () => {
    const key = pick(KEYS);
    return next(2) === 0 ? `;${key}="${pick(STRINGS)}"` : `;${key}=${pick(INTEGERS)}`;
  }).join('');
  let input = `${label}=(${components})${params}`;
  const bytes = randomBytes(next(3) === 0 ? 31 : 32).toString('base64');
  let signature = `${next(8) === 0 ? pick(LABELS) : label}=:${bytes}:`;
  const mutations: Array<() => void> = [
    () => (input = input.replace('(', '( ')),
    () => (input = input.replace(' "', '  "')),
    () => (input = `${input}, other=("@method")`),
    () => (input = `${input};created=1.5`),
    () => (input = `${input};alg=hmac`),
    () => (input = `${input};flag`),
    () => (input = `${input};flag=?1`),
    () => (input = `${input};n=007`),
    () => (input = `${input};n=-0`),
    () => (input = `${input};n=1234567890123456`),
    () => (input = `${input};s="a\\"b"`),
    () => (input = `${input};s="a\\\\b"`),
    () => (input = input.replace(')', ');created=1;created=2')),
    () => (input = input.replace(/"@method"/, '"@method";sf')),
    () => (input = input.replace(/"@method"/, '@method')),
    () => (input = `${input} `),
    () => (signature = signature.replace(/=+:$/, ':')),
    () => (signature = `${signature}, other=:AAAA:`),
    () => (signature = signature.replace(':', ': ')),
    () => (input = input.replace('=', ' = ')),
  ];
  if (next(2) === 0) pick(mutations)();
  return { input, signature };
}

const request = { method: 'GET', targetUri: 'https://api.example.test/v1/whoami?x=1', hasBody: false };

describe('RFC 9421 fields read in canonical form', () => {
  it('reads what the general structured-field parser reads, whenever it reads anything, over 20 000 generated fields', () => {
    const next = generator(9421);
    let read = 0;
    let passed = 0;
    for (let i = 0; i < 20_000; i++) {
      const { input, signature } = sample(next);
      const fast = readCanonicalSignatureFields(input, signature);
      if (fast === undefined) {
        passed++;
        continue;
      }
      read++;
      const inputs = parseDictionary(input);
      const signatures = parseDictionary(signature);
      const context = `${input} / ${signature}`;
      expect([...inputs.keys()], context).toEqual([fast.label]);
      expect([...signatures.keys()], context).toEqual([fast.label]);
      const member = inputs.get(fast.label) as InnerList;
      expect(fast.member, context).toEqual(member);
      expect(fast.serialized, context).toBe(serializeInnerList(member));
      expect(fast.signature, context).toEqual(new Uint8Array((signatures.get(fast.label) as [ArrayBuffer, unknown])[0]));

      const headers = { 'signature-input': input, signature, 'content-type': 'text/plain', 'content-digest': 'sha-256=:AAAA:' };
      const expected = buildSignatureBase(member, { ...request, headers });
      const parsed = parseMessageSignature({ ...request, headers });
      if (expected.ok) expect(parsed.ok && parsed.value.signatureBase, context).toBe(expected.signatureBase);
      else expect(parsed, context).toEqual(expected);
    }
    // Both ways were taken, many times.
    expect(read).toBeGreaterThan(3_000);
    expect(passed).toBeGreaterThan(3_000);
  });

  it('leaves to the general parser what it cannot read as received', () => {
    const signature = `sig1=:${Buffer.alloc(32).toString('base64')}:`;
    const base = 'sig1=("@method" "@target-uri");created=1;keyid="k";nonce="n"';
    expect(readCanonicalSignatureFields(base, signature)).toMatchObject({ label: 'sig1', serialized: base.slice(5) });
    for (const input of [
      `${base};created=2`,
      `${base};alg=hmac`,
      `${base};x=1.0`,
      `${base};x`,
      `${base};x="a\\"b"`,
      base.replace('("@method" ', '( "@method" '),
      base.replace('created=1', 'created=01'),
      `${base}, sig2=()`,
      base.replace('sig1', 'SIG1'),
    ]) {
      expect(readCanonicalSignatureFields(input, signature), input).toBeUndefined();
    }
    expect(readCanonicalSignatureFields(base, signature.replace('sig1', 'sig2'))).toBeUndefined();
    expect(readCanonicalSignatureFields(base, signature.replace(/=:$/, ':'))).toBeUndefined();
  });
});

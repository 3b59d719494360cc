import { type BareItem, type InnerList, type Item, type Parameters, isInnerList, parseDictionary } from 'structured-headers';
import { readCanonicalSignatureFields } from './canonical-fields.js';
import { HMAC_SHA256, HMAC_SHA256_BYTES } from './hmac-sha256.js';
import { buildSignatureBase, signatureFailure, type HttpSignatureError, type SignedRequestInput } from './signature-base.js';

export interface MessageSignature {
  label: string;
  components: string[];
  /** The signature parameters exactly as parsed (RFC 8941 bare items). */
  params: Parameters;
  signatureBase: string;
  signature: Uint8Array;
}

export type MessageSignatureResult = { ok: true; value: MessageSignature } | HttpSignatureError;

export interface SignedRequest {
  label: string;
  keyId: string;
  created: number;
  expires?: number;
  nonce: string;
  alg?: 'hmac-sha256';
  components: string[];
  signatureBase: string;
  signature: Uint8Array;
}

export type ParseResult = { ok: true; value: SignedRequest } | HttpSignatureError;

/**
 * Generic RFC 9421 verification input: picks the first label present in both `Signature-Input`
 * and `Signature`, resolves the covered components and builds the signature base (§2.5).
 * It does not apply the integrator profile; `parseSignedRequest` does.
 */
export function parseMessageSignature(input: SignedRequestInput): MessageSignatureResult {
  try {
    const rawInput = input.headers['signature-input'];
    const rawSignature = input.headers['signature'];
    if (rawInput === undefined && rawSignature === undefined) {
      return signatureFailure('unauthenticated', 'The request carries no HTTP message signature.');
    }
    if (rawInput === undefined || rawSignature === undefined) {
      return signatureFailure('invalid_request', 'Signature-Input and Signature must be sent together.');
    }

    const canonical = readCanonicalSignatureFields(rawInput, rawSignature);
    if (canonical !== undefined) {
      const base = buildSignatureBase(canonical.member, input, canonical.serialized);
      if (!base.ok) return base;
      const { label, member, signature } = canonical;
      return { ok: true, value: { label, components: base.components, params: member[1], signatureBase: base.signatureBase, signature } };
    }

    let inputs: Map<string, Item | InnerList>;
    let signatures: Map<string, Item | InnerList>;
    try {
      inputs = parseDictionary(rawInput);
      signatures = parseDictionary(rawSignature);
    } catch {
      return signatureFailure('invalid_request', 'Signature-Input or Signature is not a valid structured field.');
    }

    const label = [...inputs.keys()].find((key) => signatures.has(key));
    if (label === undefined) {
      return signatureFailure('invalid_request', 'No signature label appears in both Signature-Input and Signature.');
    }
    const member = inputs.get(label);
    const signatureMember = signatures.get(label);
    if (member === undefined || !isInnerList(member)) {
      return signatureFailure('invalid_request', 'The Signature-Input member is not an inner list.');
    }
    if (signatureMember === undefined || isInnerList(signatureMember) || !(signatureMember[0] instanceof ArrayBuffer)) {
      return signatureFailure('invalid_request', 'The Signature member is not a byte sequence.');
    }

    const base = buildSignatureBase(member, input);
    if (!base.ok) return base;
    return {
      ok: true,
      value: {
        label,
        components: base.components,
        params: member[1],
        signatureBase: base.signatureBase,
        signature: new Uint8Array(signatureMember[0]),
      },
    };
  } catch {
    return signatureFailure('invalid_request', 'The HTTP message signature could not be read.');
  }
}

function integerParam(value: BareItem | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Parses and profiles an integrator request signature (SPEC §4a). Never throws. */
export function parseSignedRequest(input: SignedRequestInput): ParseResult {
  const parsed = parseMessageSignature(input);
  if (!parsed.ok) return parsed;
  const { label, components, params, signatureBase, signature } = parsed.value;

  const required = ['@method', '@target-uri', ...(input.hasBody ? ['content-digest', 'content-type'] : [])];
  const uncovered = required.filter((name) => !components.includes(name));
  if (uncovered.length > 0) {
    return signatureFailure('invalid_request', `The signature must cover ${uncovered.map((n) => `"${n}"`).join(' ')}.`);
  }

  const created = integerParam(params.get('created'));
  if (created === undefined) return signatureFailure('invalid_request', 'The signature parameter created must be an integer.');
  const nonce = params.get('nonce');
  if (typeof nonce !== 'string' || nonce === '') {
    return signatureFailure('invalid_request', 'The signature parameter nonce must be a non-empty string.');
  }
  const keyId = params.get('keyid');
  if (typeof keyId !== 'string' || keyId === '') {
    return signatureFailure('invalid_request', 'The signature parameter keyid must be a non-empty string.');
  }
  const alg = params.get('alg');
  if (alg !== undefined && alg !== HMAC_SHA256) {
    return signatureFailure('invalid_request', `The signature parameter alg must be "${HMAC_SHA256}".`);
  }
  const rawExpires = params.get('expires');
  const expires = integerParam(rawExpires);
  if (rawExpires !== undefined && expires === undefined) {
    return signatureFailure('invalid_request', 'The signature parameter expires must be an integer.');
  }
  if (signature.length !== HMAC_SHA256_BYTES) {
    return signatureFailure('bad_signature', 'The signature is not an HMAC-SHA256 value.');
  }

  const value: SignedRequest = { label, keyId, created, nonce, components, signatureBase, signature };
  if (expires !== undefined) value.expires = expires;
  if (alg !== undefined) value.alg = HMAC_SHA256;
  return { ok: true, value };
}

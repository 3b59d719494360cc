import type { InnerList, Parameters } from 'structured-headers';

/**
 * A quick reading of `Signature-Input` and `Signature` (RFC 9421 §4) in the shape signers send
 * them: one member each, with the same label, written exactly as RFC 8941 serialises it — covered
 * components as plain strings one space apart, no component parameters, signature parameters that
 * are strings without escapes or integers, each named once, and a padded base64 signature. For such
 * a field the serialisation §2.3 asks for in the signature base is the member's text as received,
 * so nothing is serialised again.
 *
 * Anything else (several members, whitespace, escapes, tokens, decimals, booleans, a repeated
 * parameter, a label that differs) returns `undefined`, and the general structured-field parser
 * reads it. Tests hold this reading to that parser: whatever it accepts, the parser reads the same.
 */
export interface CanonicalSignatureFields {
  label: string;
  member: InnerList;
  /** The member's serialisation: the text after `<label>=` in Signature-Input. */
  serialized: string;
  signature: Uint8Array;
}

const KEY = '[a-z*][a-z0-9_.*-]*';
// An sf-string without escapes: printable ASCII except `"` and `\`.
const STRING = '[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*';
// An sf-integer as serialised: no leading zeros, no "-0", at most 15 digits.
const INTEGER = '0|-?[1-9][0-9]{0,14}';
const SIGNATURE_INPUT = new RegExp(`^(${KEY})=(\\(((?:"${STRING}"(?: "${STRING}")*)?)\\)((?:;${KEY}=(?:"${STRING}"|${INTEGER}))*))$`);
const PARAMETER = new RegExp(`;(${KEY})=(?:"(${STRING})"|(${INTEGER}))`, 'g');
const COMPONENT = new RegExp(`"(${STRING})"`, 'g');
// Padded base64, so every decoder reads the same bytes.
const SIGNATURE = new RegExp(`^(${KEY})=:((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?):$`);

export function readCanonicalSignatureFields(rawInput: string, rawSignature: string): CanonicalSignatureFields | undefined {
  const input = SIGNATURE_INPUT.exec(rawInput);
  if (input === null) return undefined;
  const signature = SIGNATURE.exec(rawSignature);
  if (signature === null || signature[1] !== input[1]) return undefined;
  const [, label = '', serialized = '', components = '', parameters = ''] = input;

  const items: InnerList[0] = [];
  for (const [, name = ''] of components.matchAll(COMPONENT)) items.push([name, new Map()]);
  const params: Parameters = new Map();
  for (const [, key = '', text, integer] of parameters.matchAll(PARAMETER)) {
    // A repeated parameter keeps its last value when parsed, so the text is no longer its serialisation.
    if (params.has(key)) return undefined;
    params.set(key, text ?? Number(integer));
  }
  return { label, member: [items, params], serialized, signature: new Uint8Array(Buffer.from(signature[2] ?? '', 'base64')) };
}

/**
 * RFC 9421 HTTP message signatures for the integrator profile (SPEC §4a, PROTOCOLS.md):
 * `hmac-sha256` keyed with the UTF-8 bytes of the secret, covering `@method` and `@target-uri`,
 * plus `content-digest` (RFC 9530) and `content-type` when there is a body.
 */
export { checkContentDigest, computeContentDigest, type ContentDigestCheck } from './http-signature/content-digest.js';
export { hmacSha256Signature, signaturesEqual } from './http-signature/hmac-sha256.js';
export {
  parseMessageSignature,
  parseSignedRequest,
  type MessageSignature,
  type MessageSignatureResult,
  type ParseResult,
  type SignedRequest,
} from './http-signature/parse-signed-request.js';
export { type HttpSignatureError, type HttpSignatureErrorCode, type SignedRequestInput } from './http-signature/signature-base.js';
export { signRequest, type SignRequestOptions } from './http-signature/sign-request.js';

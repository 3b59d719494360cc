export { createControlClient, RekeyApiError, type ControlClient, type ControlClientOptions, type CreatedClient, type RegenerateResponse, type Problem } from './control-client.js';
export { signedFetch, regenerateIntegratorSecret, type IntegratorCredentials } from './signed-fetch.js';
export { signRequest, computeContentDigest } from '../protocols/http-signature.js';
export { createSignedUrlVerifier, SignedUrlVerifyError, type SignedUrlVerifier, type SignedUrlVerifierOptions, type SignedUrlVerdict } from './signed-url-verifier.js';

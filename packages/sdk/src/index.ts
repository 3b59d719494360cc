export { signRequest, type SignRequestOptions } from './sign-request.js';
export { computeContentDigest } from './content-digest.js';
export { signedFetch, regenerateIntegratorSecret, type IntegratorCredentials, type SignedFetchInit } from './signed-fetch.js';
export { createSignedUrlVerifier, type SignedUrlVerifier, type SignedUrlVerifierOptions } from './signed-url-verifier.js';
export { createControlClient, type ControlClient, type ControlClientOptions, type VerifyRequest } from './control-client.js';
export { RekeyApiError, type ErrorCode, type Problem } from './rekey-api-error.js';
export {
  createCredentialVerifier,
  needsBody,
  MAX_CACHE_TTL_MS,
  type CredentialVerdict,
  type CredentialVerifier,
  type CredentialVerifierOptions,
  type IncomingRequest,
  type VerifyProblem,
} from './credential-verifier.js';
export type {
  Answer,
  ClientPage,
  ClientView,
  CreateClientInput,
  CreatedClient,
  JsonAnswer,
  JsonRequest,
  ListClientsQuery,
  Profile,
  RegenerateAnswer,
  RegenerateInput,
  RekeyIdentity,
  SecretVersionView,
  SignedUrlVerdict,
  VerifyAnswer,
} from './api-types.js';
export type { components, paths } from './schema.js';
